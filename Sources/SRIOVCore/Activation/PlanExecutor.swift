import HostAccess

/// Runs a plan on a machine, one step at a time, recording each step in a journal before
/// and after it (write-ahead), so that whatever happens the journal says which files were
/// written and a rollback can undo them. A failing step stops the plan.
///
/// On a snapshot root (`--root DIR`) files are edited under DIR, while sysfs writes and
/// commands are not made: they are listed as "would run on the host".
public struct PlanExecutor: Sendable {
    public let machine: Machine
    public let operations: any FileOperations
    /// Defaults to the machine being live.
    public var performsHostActions: Bool
    /// The calls the journal's own writes are made of (live unless a test kills the whole
    /// process at one call: then the journal stops with everything else).
    public let journalOperations: any FileOperations
    /// Told when a command or sysfs write starts and ends, and each line a command prints.
    public var progress: (any PlanProgress)?

    public init(machine: Machine, operations: any FileOperations = LiveFileOperations(), performsHostActions: Bool? = nil,
                journalOperations: (any FileOperations)? = nil) {
        self.machine = machine
        self.operations = operations
        self.performsHostActions = performsHostActions ?? machine.isLive
        self.journalOperations = journalOperations ?? LiveFileOperations()
    }

    public struct Outcome: Sendable {
        public var journalID: String
        public var manifest: JournalManifest
        /// The step that failed and why, if one did.
        public var failure: String?
        /// Commands and writes not made because the root is a snapshot.
        public var notRun: [String]
        public var succeeded: Bool { failure == nil }
    }

    /// Applies the plan. Throws only when the journal itself cannot be written (before any
    /// change is made); a failing step is reported in the outcome.
    public func apply(_ plan: Plan, command: [String]) throws(HostAccessError) -> Outcome {
        let journal = try Journal.create(machine, operations: journalOperations)
        var manifest = JournalManifest(id: journal.id, created: Journal.timestamp(), root: machine.root, command: command,
                                       summary: plan.title, steps: [], notes: plan.pending)
        for (index, step) in plan.steps.enumerated() {
            var record: JournalStep
            switch step {
            case .edit(let e): record = JournalStep(index: index, kind: .file, description: step.summary, path: e.path)
            case .sysfs(let w): record = JournalStep(index: index, kind: .sysfs, description: step.summary, path: w.path); record.value = w.value
            case .command(let c): record = JournalStep(index: index, kind: .command, description: step.summary, argv: c.argv); record.rerunOnRollback = c.rerunOnRollback
            }
            manifest.steps.append(record)
        }
        try journal.save(manifest)
        let editor = FileEditor(machine: machine, operations: operations)
        var notRun: [String] = []
        var failure: String?
        /// Step `index` failed with `message`: the outcome, and the step's record, say so.
        func fail(_ index: Int, _ message: String, outcome: String? = nil) {
            failure = message
            manifest.steps[index].state = .failed
            manifest.steps[index].error = message
            if let outcome { manifest.steps[index].outcome = outcome }
        }

        stepLoop: for (index, step) in plan.steps.enumerated() {
            switch step {
            case .edit(let edit):
                // Plans only ever edit configuration; anything else is a defect, not a request.
                guard PlanExecutor.editable(edit.path) else {
                    fail(index, "\(edit.path): sriov-wizard edits files under \(PlanExecutor.editableRoots.joined(separator: ", ")) only; not written", outcome: "unchanged")
                    break stepLoop
                }
                // Refuse when the file is not what the plan was made from.
                let state: FileState
                do { state = try editor.state(of: edit.path) } catch {
                    fail(index, "\(edit.path): \(error.description)", outcome: "unchanged")
                    break stepLoop
                }
                if state.bytes != edit.before {
                    fail(index, "\(edit.path) changed since the plan was made; nothing written. Run apply again to plan from its new content.", outcome: "unchanged")
                    break stepLoop
                }
                do {
                    try journal.storeBackup(index, state.bytes ?? [])
                    if let after = edit.after { try journal.storeAfter(index, after) }
                    manifest.steps[index].existed = state.exists
                    manifest.steps[index].mode = UInt32(state.exists ? state.mode : mode_t(edit.mode))
                    manifest.steps[index].uid = state.exists ? UInt32(state.uid) : nil
                    manifest.steps[index].gid = state.exists ? UInt32(state.gid) : nil
                    // Write-ahead: the directories replace will make are recorded before it makes them.
                    let missing = edit.after == nil ? [] : editor.missingParents(edit.path)
                    manifest.steps[index].createdDirectories = missing.isEmpty ? nil : missing
                    manifest.steps[index].state = .started
                    try journal.save(manifest)
                } catch {
                    fail(index, "journal \(journal.hostDirectory): \(error.description); \(edit.path) not written", outcome: "unchanged")
                    break stepLoop
                }
                do {
                    try editor.replace(edit.path, with: edit.after, mode: state.exists ? state.mode : mode_t(edit.mode),
                                       uid: state.exists ? state.uid : nil, gid: state.exists ? state.gid : nil)
                    manifest.steps[index].state = .done
                } catch {
                    fail(index, "\(edit.path): \(error.description)", outcome: outcome(of: edit, editor))
                    break stepLoop
                }

            case .sysfs(let write):
                manifest.steps[index].previousValue = machine.attribute(write.path)
                guard performsHostActions else {
                    // A snapshot records the value in its copy of the attribute, so the
                    // snapshot shows the state the host would have (and a re-run finds it).
                    // Write-ahead, as on the host: the intent is in the journal before the change.
                    manifest.steps[index].state = .started
                    do { try journal.save(manifest) } catch {
                        fail(index, "journal: \(error.description); \(write.path) not written")
                        break stepLoop
                    }
                    do {
                        try Rollback.record(write.value, at: write.path, editor)
                        manifest.steps[index].state = .done
                        manifest.steps[index].outcome = "recorded in the snapshot"
                    } catch {
                        fail(index, "\(write.path): \(error.description)")
                        break stepLoop
                    }
                    do { try journal.save(manifest) } catch { failure = "journal: \(error.description)"; break stepLoop }
                    continue
                }
                manifest.steps[index].state = .started
                do { try journal.save(manifest) } catch {
                    fail(index, "journal: \(error.description); \(write.path) not written")
                    break stepLoop
                }
                progress?.stepStarted(step.summary)
                let result = editor.writeAttribute(write.path, write.value)
                if case .failed = result { progress?.stepFinished(step.summary, succeeded: false) }
                else { progress?.stepFinished(step.summary, succeeded: true) }
                if case .failed(let code) = result {
                    fail(index, PlanExecutor.explain(code, write: write, machine: machine))
                    break stepLoop
                }
                manifest.steps[index].state = .done

            case .command(let command):
                guard performsHostActions else {
                    manifest.steps[index].state = .notRun
                    notRun.append(ShellWords.display(command.argv))
                    continue
                }
                manifest.steps[index].state = .started
                do { try journal.save(manifest) } catch {
                    fail(index, "journal: \(error.description); `\(ShellWords.display(command.argv))` not run")
                    break stepLoop
                }
                do throws(HostAccessError) {
                    progress?.stepStarted(ShellWords.display(command.argv))
                    let result: CommandResult
                    do throws(HostAccessError) {
                        if let progress {
                            result = try machine.run(command.argv, timeout: command.timeout) { progress.output($0) }
                        } else {
                            result = try machine.run(command.argv, timeout: command.timeout)
                        }
                    } catch {
                        progress?.stepFinished(ShellWords.display(command.argv), succeeded: false)
                        throw error
                    }
                    progress?.stepFinished(ShellWords.display(command.argv), succeeded: result.status == 0)
                    if result.status != 0 {
                        fail(index, "`\(ShellWords.display(command.argv))` exited with status \(result.status)" + PlanExecutor.tail(result))
                        break stepLoop
                    }
                    manifest.steps[index].state = .done
                } catch {
                    fail(index, error.description)
                    break stepLoop
                }
            }
            do { try journal.save(manifest) } catch {
                failure = "journal: \(error.description) (step \(index + 1) was done)"
                break stepLoop
            }
        }
        manifest.state = failure == nil ? .applied : .failed
        try? journal.save(manifest)
        return Outcome(journalID: journal.id, manifest: manifest, failure: failure, notRun: notRun)
    }

    static let editableRoots = ["/etc/"]

    static func editable(_ path: String) -> Bool {
        editableRoots.contains { path.hasPrefix($0) } && !path.split(separator: "/").contains { $0 == ".." || $0 == "." }
    }

    /// After a failed edit: is the file the old one or the whole new one? (Never a mix: the
    /// new bytes only ever reach the name through rename.)
    func outcome(of edit: FileEdit, _ editor: FileEditor) -> String {
        guard let now = try? editor.state(of: edit.path) else { return "unknown" }
        if now.bytes == edit.before { return "unchanged" }
        if now.bytes == edit.after { return "written" }
        return "unknown"
    }

    static func tail(_ result: CommandResult) -> String {
        let text = (result.stderrText.isEmpty ? result.stdoutText : result.stderrText).trimmedSpace()
        guard !text.isEmpty else { return "" }
        let lines = text.split(separator: "\n").suffix(5).joined(separator: "\n  ")
        return ":\n  " + lines
    }

    /// The kernel's answer to a `sriov_numvfs` write, in words that say what to do
    /// (drivers/pci/iov.c `sriov_numvfs_store`, `sriov_enable`).
    public static func explain(_ code: Int32, write: AttributeWrite, machine: Machine) -> String {
        let name = AttributeWriteResult.name(of: code)
        let base = "the kernel refused `echo \(write.value) > \(write.path)`: \(name) (\(AttributeWriteResult.text(of: code)))"
        guard write.path.hasSuffix("/sriov_numvfs") else { return base }
        let dir = String(write.path.dropLast("/sriov_numvfs".count))
        switch code {
        case ERANGE:
            let total = machine.attribute(dir + "/sriov_totalvfs") ?? "?"
            return base + ". The maximum for this device is \(total) (sriov_totalvfs)."
        case ENOMEM:
            return base + ". The VFs' memory (BARs) could not be placed: Above 4G Decoding and/or SR-IOV are probably off in the BIOS; enable them (see `sriov-wizard check`, stage bios)."
        case EBUSY:
            return base + ". VFs already exist with another count; write 0 first (apply does that), or the VFs are in use by a VM."
        case ENOENT, EINVAL, ENODEV:
            return base + ". The PF driver is not bound or does not support sysfs VF creation; check `sriov-wizard check --device \(dir.split(separator: "/").last ?? "")`."
        case EACCES, EPERM:
            return base + ". Run as root."
        default:
            return base + "."
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
