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
    /// The language of the progress lines and of a failure (the journal keeps both).
    public var language: Language = .en

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
                                       summary: plan.title.en, steps: [], notes: plan.pending.map(\.en))
        manifest.summaryES = plan.title.es
        manifest.notesES = plan.pending.map(\.es)
        manifest.steps = plan.steps.enumerated().map { $1.record(index: $0) }
        try journal.save(manifest)
        var run = Run(executor: self, journal: journal, manifest: manifest)
        for (index, step) in plan.steps.enumerated() {
            let next: Next
            switch step {
            case .edit(let edit): next = run.edit(edit, at: index)
            case .sysfs(let write): next = run.sysfs(write, at: index, summary: step.summary)
            case .command(let command): next = run.command(command, at: index)
            }
            if next == .stop { break }
            if next == .saveThenNext, !run.save(afterStep: index) { break }
        }
        run.manifest.state = run.failure == nil ? .applied : .failed
        try? journal.save(run.manifest)
        return Outcome(journalID: journal.id, manifest: run.manifest, failure: run.failure, notRun: run.notRun)
    }

    /// What the loop does after a step.
    enum Next { case stop, saveThenNext, next }

    /// One run of a plan: the journal bookkeeping every step kind shares, and one method per
    /// step kind. Every change is written-ahead: the step is `started` in the saved journal
    /// before the change is made, and `done` or `failed` after.
    struct Run {
        let executor: PlanExecutor
        let journal: Journal
        var manifest: JournalManifest
        var notRun: [String] = []
        var failure: String?
        var machine: Machine { executor.machine }
        var editor: FileEditor { FileEditor(machine: executor.machine, operations: executor.operations) }
        var language: Language { executor.language }

        init(executor: PlanExecutor, journal: Journal, manifest: JournalManifest) {
            self.executor = executor
            self.journal = journal
            self.manifest = manifest
        }

        /// Step `index` failed with `message`: the outcome, and the step's record, say so.
        mutating func fail(_ index: Int, _ message: LocalizedText, outcome: String? = nil) {
            failure = message.text(language)
            manifest.steps[index].state = .failed
            manifest.steps[index].error = message.en
            if let outcome { manifest.steps[index].outcome = outcome }
        }

        /// Marks step `index` started and saves the journal (the write-ahead); false, with the
        /// step failed, when the journal cannot be written (then the change is not made).
        mutating func begin(_ index: Int, notDone: LocalizedText, outcome: String? = nil) -> Bool {
            manifest.steps[index].state = .started
            do { try journal.save(manifest) } catch {
                fail(index, LocalizedText(en: "journal: \(error.description); " + notDone.en, es: "diario: \(error.spanishDescription); " + notDone.es), outcome: outcome)
                return false
            }
            return true
        }

        /// Saves the journal after step `index` ended; false (and the run fails) when it cannot.
        mutating func save(afterStep index: Int) -> Bool {
            do { try journal.save(manifest) } catch {
                failure = LocalizedText(en: "journal: \(error.description) (step \(index + 1) was done)",
                                        es: "diario: \(error.spanishDescription) (el paso \(index + 1) se hizo)").text(language)
                return false
            }
            return true
        }

        mutating func edit(_ edit: FileEdit, at index: Int) -> Next {
            let editor = self.editor
            // Plans only ever edit configuration; anything else is a defect, not a request.
            guard PlanExecutor.editable(edit.path) else {
                let roots = PlanExecutor.editableRoots.joined(separator: ", ")
                fail(index, LocalizedText(en: "\(edit.path): sriov-wizard edits files under \(roots) only; not written",
                                          es: "\(edit.path): sriov-wizard solo edita ficheros bajo \(roots); no se escribe"), outcome: "unchanged")
                return .stop
            }
            // Refuse when the file is not what the plan was made from.
            let state: FileState
            do { state = try editor.state(of: edit.path) } catch {
                fail(index, executor.same("\(edit.path): \(error.description)"), outcome: "unchanged")
                return .stop
            }
            if state.bytes != edit.before {
                fail(index, LocalizedText(en: "\(edit.path) changed since the plan was made; nothing written. Run apply again to plan from its new content.",
                                          es: "\(edit.path) cambió desde que se hizo el plan; no se escribió nada. Ejecute apply otra vez para planificar desde su nuevo contenido."), outcome: "unchanged")
                return .stop
            }
            do {
                try journal.storeBackup(index, state.bytes ?? [])
                if let after = edit.after { try journal.storeAfter(index, after) }
                manifest.steps[index].existed = state.exists
                manifest.steps[index].mode = UInt32(state.exists ? state.mode : UInt32(edit.mode))
                manifest.steps[index].uid = state.exists ? UInt32(state.uid) : nil
                manifest.steps[index].gid = state.exists ? UInt32(state.gid) : nil
                // Write-ahead: the directories replace will make are recorded before it makes them.
                let missing = edit.after == nil ? [] : editor.missingParents(edit.path)
                manifest.steps[index].createdDirectories = missing.isEmpty ? nil : missing
                manifest.steps[index].state = .started
                try journal.save(manifest)
            } catch {
                fail(index, LocalizedText(en: "journal \(journal.hostDirectory): \(error.description); \(edit.path) not written",
                                          es: "diario \(journal.hostDirectory): \(error.spanishDescription); \(edit.path) no se escribió"), outcome: "unchanged")
                return .stop
            }
            do {
                try editor.replace(edit.path, with: edit.after, mode: state.exists ? state.mode : UInt32(edit.mode),
                                   uid: state.exists ? state.uid : nil, gid: state.exists ? state.gid : nil)
                manifest.steps[index].state = .done
            } catch {
                fail(index, executor.same("\(edit.path): \(error.description)"), outcome: executor.outcome(of: edit, editor))
                return .stop
            }
            return .saveThenNext
        }

        mutating func sysfs(_ write: AttributeWrite, at index: Int, summary: LocalizedText) -> Next {
            let editor = self.editor
            manifest.steps[index].previousValue = machine.attribute(write.path)
            let notWritten = LocalizedText(en: "\(write.path) not written", es: "\(write.path) no se escribió")
            guard executor.performsHostActions else {
                // A snapshot records the value in its copy of the attribute, so the
                // snapshot shows the state the host would have (and a re-run finds it).
                // Write-ahead, as on the host: the intent is in the journal before the change.
                guard begin(index, notDone: notWritten) else { return .stop }
                do {
                    try Rollback.record(write.value, at: write.path, editor)
                    manifest.steps[index].state = .done
                    manifest.steps[index].outcome = "recorded in the snapshot"
                } catch {
                    fail(index, executor.same("\(write.path): \(error.description)"))
                    return .stop
                }
                do { try journal.save(manifest) } catch { failure = executor.journalWord + ": \(error.description)"; return .stop }
                return .next
            }
            guard begin(index, notDone: notWritten) else { return .stop }
            let result = PlanExecutor.write(write.value, to: write.path, shown: summary.text(language), editor, progress: executor.progress)
            if case .failed(let code) = result {
                fail(index, PlanExecutor.explain(code, write: write, machine: machine))
                return .stop
            }
            manifest.steps[index].state = .done
            return .saveThenNext
        }

        mutating func command(_ command: PlannedCommand, at index: Int) -> Next {
            let shown = ShellWords.display(command.argv)
            guard executor.performsHostActions else {
                manifest.steps[index].state = .notRun
                notRun.append(shown)
                return .next
            }
            guard begin(index, notDone: LocalizedText(en: "`\(shown)` not run", es: "`\(shown)` no se ejecutó")) else { return .stop }
            do throws(HostAccessError) {
                let result = try PlanExecutor.run(command.argv, timeout: command.timeout, on: machine, progress: executor.progress)
                if result.status != 0 {
                    let exited = PlanExecutor.exited(command.argv, status: result.status)
                    let tail = PlanExecutor.tail(result)
                    fail(index, LocalizedText(en: exited.en + tail, es: exited.es + tail))
                    return .stop
                }
                manifest.steps[index].state = .done
            } catch {
                fail(index, executor.same(error.description))
                return .stop
            }
            return .saveThenNext
        }
    }

    /// Runs a command, telling `progress` when it starts, each line it prints, and how it ended
    /// (apply's command steps and rollback's regenerating commands).
    static func run(_ argv: [String], timeout: Double, on machine: Machine, progress: (any PlanProgress)?) throws(HostAccessError) -> CommandResult {
        let shown = ShellWords.display(argv)
        progress?.stepStarted(shown)
        let result: CommandResult
        do throws(HostAccessError) {
            if let progress {
                result = try machine.run(argv, timeout: timeout) { progress.output($0) }
            } else {
                result = try machine.run(argv, timeout: timeout)
            }
        } catch {
            progress?.stepFinished(shown, succeeded: false)
            throw error
        }
        progress?.stepFinished(shown, succeeded: result.status == 0)
        return result
    }

    /// Writes a sysfs attribute, telling `progress` (shown as `shown`) when it starts and ends.
    static func write(_ value: String, to path: String, shown: String, _ editor: FileEditor, progress: (any PlanProgress)?) -> AttributeWriteResult {
        progress?.stepStarted(shown)
        let result = editor.writeAttribute(path, value)
        if case .failed = result { progress?.stepFinished(shown, succeeded: false) } else { progress?.stepFinished(shown, succeeded: true) }
        return result
    }

    static let editableRoots = ["/etc/"]

    var journalWord: String { language == .es ? "diario" : "journal" }

    /// A message made of what the system said (an errno text, a path): the same in every language.
    func same(_ text: String) -> LocalizedText { LocalizedText(en: text, es: text) }

    /// `` `update-grub` exited with status 1 ``.
    public static func exited(_ argv: [String], status: Int32) -> LocalizedText {
        let shown = ShellWords.display(argv)
        return LocalizedText(en: "`\(shown)` exited with status \(status)", es: "`\(shown)` terminó con el estado \(status)")
    }

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
    public static func explain(_ code: Int32, write: AttributeWrite, machine: Machine) -> LocalizedText {
        let name = AttributeWriteResult.name(of: code)
        let echo = "`echo \(write.value) > \(write.path)`: \(name) (\(AttributeWriteResult.text(of: code)))"
        let base = LocalizedText(en: "the kernel refused " + echo, es: "el kernel rechazó " + echo)
        func with(_ en: String, _ es: String) -> LocalizedText { LocalizedText(en: base.en + en, es: base.es + es) }
        guard write.path.hasSuffix("/sriov_numvfs") else { return with(".", ".") }
        let dir = String(write.path.dropLast("/sriov_numvfs".count))
        switch AttributeWriteResult.refusal(of: code) {
        case .outOfRange:
            let total = machine.attribute(dir + "/sriov_totalvfs") ?? "?"
            return with(". The maximum for this device is \(total) (sriov_totalvfs).", ". El máximo de este dispositivo es \(total) (sriov_totalvfs).")
        case .noMemory:
            return with(". The VFs' memory (BARs) could not be placed: Above 4G Decoding and/or SR-IOV are probably off in the BIOS; enable them (see `sriov-wizard check`, stage bios).",
                        ". No se pudo ubicar la memoria (BARs) de las VFs: Above 4G Decoding o SR-IOV están probablemente desactivados en la BIOS; actívelos (vea `sriov-wizard check`, etapa bios).")
        case .busy:
            return with(". VFs already exist with another count; write 0 first (apply does that), or the VFs are in use by a VM.",
                        ". Ya hay VFs con otra cuenta; escriba antes 0 (apply lo hace), o las VFs están en uso por una VM.")
        case .unsupported:
            let address = dir.split(separator: "/").last ?? ""
            return with(". The PF driver is not bound or does not support sysfs VF creation; check `sriov-wizard check --device \(address)`.",
                        ". El controlador de la PF no está asociado o no admite crear VFs por sysfs; compruebe `sriov-wizard check --device \(address)`.")
        case .denied:
            return with(". Run as root.", ". Ejecútelo como root.")
        case .other:
            return with(".", ".")
        }
    }
}
