import HostAccess

/// Undoes a recorded apply: every file the apply began to write gets its old bytes, mode and
/// owner back (or is removed when it did not exist), `sriov_numvfs` goes back to the value it
/// had, and the regenerating commands (update-initramfs, update-grub, udevadm reload) run
/// again over the restored files. Refuses, before touching anything, when a file was changed
/// since the apply by someone else.
public struct Rollback: Sendable {
    public let machine: Machine
    public let operations: any FileOperations
    public var performsHostActions: Bool
    /// Told when a command or sysfs write starts and ends (as for `PlanExecutor`).
    public var progress: (any PlanProgress)?
    /// The language of the progress lines and of a failure.
    public var language: Language = .en

    /// The calls the journal's own writes are made of (as for `PlanExecutor`).
    public let journalOperations: any FileOperations

    public init(machine: Machine, operations: any FileOperations = LiveFileOperations(), performsHostActions: Bool? = nil,
                journalOperations: (any FileOperations)? = nil) {
        self.machine = machine
        self.operations = operations
        self.performsHostActions = performsHostActions ?? machine.isLive
        self.journalOperations = journalOperations ?? LiveFileOperations()
    }

    public enum Action: Sendable, Equatable {
        case restore(path: String, diff: String)
        case remove(path: String, diff: String)
        case unchanged(path: String)
        case sysfs(path: String, values: [String])
        case command([String])
        /// A directory apply created for a file it created; removed only when empty.
        case removeDirectory(path: String)

        public var text: LocalizedText {
            switch self {
            case .restore(let p, _): return LocalizedText(en: "restore \(p)", es: "restaurar \(p)")
            case .remove(let p, _): return LocalizedText(en: "remove \(p) (it did not exist before)", es: "borrar \(p) (no existía antes)")
            case .unchanged(let p): return LocalizedText(en: "\(p) is already as before", es: "\(p) ya está como antes")
            case .sysfs(let p, let v):
                let writes = v.map { JournalText.write($0, to: p) }
                return LocalizedText(en: writes.map(\.en).joined(separator: ", then "), es: writes.map(\.es).joined(separator: ", después "))
            case .command(let argv): return JournalText.run(argv)
            case .removeDirectory(let p):
                return LocalizedText(en: "remove the directory \(p) if it is empty (apply created it)", es: "borrar el directorio \(p) si está vacío (lo creó apply)")
            }
        }
    }

    public struct Planned: Sendable {
        public var journal: Journal
        public var manifest: JournalManifest
        public var actions: [Action]
    }

    /// Works out what a rollback of journal `id` does; throws when it cannot be done safely.
    public func plan(id: String) throws(ActivationError) -> Planned {
        let journal: Journal
        let manifest: JournalManifest
        do {
            journal = try Journal.open(machine, id: id, operations: journalOperations)
            manifest = try journal.load()
        } catch {
            throw .journalUnreadable(id: id, error)
        }
        // Replay only what apply itself plans; anything else refuses the whole rollback.
        let refusals = manifest.steps.compactMap(JournalPolicy.refusal)
        if !refusals.isEmpty {
            throw .notWrittenByApply(id: id, refusals: refusals)
        }
        if manifest.state == .rolledBack {
            throw .alreadyRolledBack(id: id, at: manifest.rolledBackAt)
        }
        let editor = FileEditor(machine: machine, operations: operations)
        var actions: [Action] = []
        var conflicts: [LocalizedText] = []
        for step in manifest.steps.reversed() where step.kind == .file {
            guard [.started, .done, .failed, .rolledBack].contains(step.state), let path = step.path, step.existed != nil else { continue }
            let old: [UInt8]
            do { old = try journal.backup(step.index) } catch {
                conflicts.append(LocalizedText(en: "\(path): the backup is missing (\(error.description))", es: "\(path): falta la copia de seguridad (\(error.description))"))
                continue
            }
            let before: [UInt8]? = step.existed == true ? old : nil
            let now: FileState
            do { now = try editor.state(of: path) } catch {
                conflicts.append(LocalizedText(en: "\(path): \(error.description)", es: "\(path): \(error.description)"))
                continue
            }
            if now.bytes == before {
                if !actions.contains(.unchanged(path: path)) { actions.append(.unchanged(path: path)) }
                continue
            }
            let written = journal.after(step.index)
            if now.bytes != written {
                let backup = "\(journal.hostDirectory)/backups/\(step.index)"
                conflicts.append(LocalizedText(en: "\(path) was changed after apply \(id) wrote it; not restored (compare it with \(backup) and restore by hand)",
                                               es: "\(path) cambió después de que el apply \(id) lo escribiera; no se restaura (compárelo con \(backup) y restáurelo a mano)"))
                continue
            }
            let diff = UnifiedDiff.make(old: now.bytes.map { String(decoding: $0, as: UTF8.self) },
                                        new: before.map { String(decoding: $0, as: UTF8.self) }, path: path)
            actions.append(before == nil ? .remove(path: path, diff: diff) : .restore(path: path, diff: diff))
        }
        if !conflicts.isEmpty {
            throw .unsafeRollback(id: id, conflicts: conflicts)
        }
        // Directories apply created (recorded before it made them), deepest first, after the
        // files in them are gone.
        var directories: [String] = []
        for step in manifest.steps where step.kind == .file && step.existed == false {
            for dir in step.createdDirectories ?? [] where !directories.contains(dir) && machine.kind(dir, follow: false) == .directory {
                directories.append(dir)
            }
        }
        for dir in directories.sorted(by: { $0.count > $1.count }) { actions.append(.removeDirectory(path: dir)) }
        // sysfs: the value before the first write of each attribute.
        var original: [(String, String)] = []
        for step in manifest.steps where step.kind == .sysfs && [.started, .done, .failed].contains(step.state) {
            guard let path = step.path, let previous = step.previousValue, !original.contains(where: { $0.0 == path }) else { continue }
            original.append((path, previous))
        }
        for (path, previous) in original {
            let now = machine.attribute(path)
            guard now != previous else { continue }
            var values: [String] = []
            if let now, now != "0", previous != "0", path.hasSuffix("sriov_numvfs") { values.append("0") }
            values.append(previous)
            actions.append(.sysfs(path: path, values: values))
        }
        var seen: [[String]] = []
        for step in manifest.steps where step.kind == .command && step.rerunOnRollback == true && [.done, .failed, .notRun, .started].contains(step.state) {
            guard let argv = step.argv, !seen.contains(argv) else { continue }
            seen.append(argv)
            actions.append(.command(argv))
        }
        return Planned(journal: journal, manifest: manifest, actions: actions)
    }

    public struct Outcome: Sendable {
        public var failure: String?
        public var notRun: [String]
    }

    public func run(_ planned: Planned) -> Outcome {
        var manifest = planned.manifest
        let journal = planned.journal
        let editor = FileEditor(machine: machine, operations: operations)
        var notRun: [String] = []
        var failure: String?
        // Write-ahead, as apply: the journal says a rollback began before its first change, and
        // after each change what is restored, so a rollback that is interrupted is told apart
        // from the apply (`history`) and finished by running rollback again.
        let before = manifest.state
        manifest.state = .rollingBack
        do { try journal.save(manifest) } catch {
            manifest.state = before
            return Outcome(failure: LocalizedText(en: "journal \(journal.hostDirectory): \(error.description); nothing was undone",
                                                  es: "diario \(journal.hostDirectory): \(error.spanishDescription); no se deshizo nada").text(language),
                           notRun: [])
        }
        // Temporary files an interrupted apply left next to the files it was writing are ours
        // by name: they go first (a leftover that cannot be removed does not stop the rollback).
        for step in manifest.steps where step.kind == .file || (step.kind == .sysfs && !performsHostActions) {
            guard let path = step.path, [.started, .failed].contains(step.state) else { continue }
            _ = try? editor.removeTemporary(of: path)
        }
        actionLoop: for action in failure == nil ? planned.actions : [] {
            switch action {
            case .unchanged: continue
            case .removeDirectory(let path):
                do { try editor.removeEmptyDirectory(path) } catch { failure = "\(path): \(error.description)"; break actionLoop }
            case .restore(let path, _), .remove(let path, _):
                // The earliest step for this path holds the original bytes.
                guard let step = manifest.steps.first(where: { $0.kind == .file && $0.path == path && $0.existed != nil }),
                      let old = try? journal.backup(step.index) else { failure = "\(path): backup missing"; break actionLoop }
                do {
                    try editor.replace(path, with: step.existed == true ? old : nil, mode: UInt32(step.mode ?? 0o644),
                                       uid: step.uid.map { UInt32($0) }, gid: step.gid.map { UInt32($0) })
                    for i in manifest.steps.indices where manifest.steps[i].path == path && manifest.steps[i].kind == .file {
                        manifest.steps[i].state = .rolledBack
                    }
                } catch { failure = "\(path): \(error.description)"; break actionLoop }
                // The outcome of this change, before the next one.
                do { try journal.save(manifest) } catch {
                    failure = LocalizedText(en: "journal: \(error.description) (\(path) was restored)",
                                            es: "diario: \(error.spanishDescription) (\(path) se restauró)").text(language)
                    break actionLoop
                }
            case .sysfs(let path, let values):
                guard performsHostActions else {
                    do { try Rollback.record(values.last ?? "0", at: path, editor) } catch {
                        failure = "\(path): \(error.description)"; break actionLoop
                    }
                    continue
                }
                for value in values {
                    let shown = JournalText.write(value, to: path).text(language)
                    if case .failed(let code) = PlanExecutor.write(value, to: path, shown: shown, editor, progress: progress) {
                        failure = PlanExecutor.explain(code, write: AttributeWrite(path: path, value: value, reason: LocalizedText(en: "rollback", es: "deshacer")), machine: machine).text(language)
                        break actionLoop
                    }
                }
            case .command(let argv):
                guard performsHostActions else { notRun.append(ShellWords.display(argv)); continue }
                do throws(HostAccessError) {
                    let result = try PlanExecutor.run(argv, timeout: 600, on: machine, progress: progress)
                    if result.status != 0 {
                        failure = PlanExecutor.exited(argv, status: result.status).text(language) + PlanExecutor.tail(result)
                        break actionLoop
                    }
                } catch { failure = error.description; break actionLoop }
            }
        }
        manifest.state = failure == nil ? .rolledBack : .rollbackFailed
        if failure == nil { manifest.rolledBackAt = Journal.timestamp() }
        try? journal.save(manifest)
        return Outcome(failure: failure, notRun: notRun)
    }

    /// Writes a sysfs value into a snapshot's copy of the attribute (a regular file).
    static func record(_ value: String, at path: String, _ editor: FileEditor) throws(HostAccessError) {
        let state = try editor.state(of: path)
        try editor.replace(path, with: Array((value + "\n").utf8), mode: state.exists ? state.mode : 0o644,
                           uid: state.exists ? state.uid : nil, gid: state.exists ? state.gid : nil)
    }
}

/// What a journal step may be for `rollback` to replay it: only what `apply` itself plans.
/// A journal is a file under the root; a crafted one must not turn rollback into a tool that
/// writes any file, any sysfs attribute or runs any command as root.
public enum JournalPolicy {
    /// The configuration files the planners edit (KernelCmdlinePlanner, VFIOModulesPlanner,
    /// VFPlanner, PassthroughPlanner).
    public static func isPlannedFile(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard path.hasPrefix("/"), !parts.dropFirst().contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else { return false }
        let exact = [GrubDefaults.path, BootLoader.kernelCmdlinePath, VFIOModulesPlanner.path, VFPlanner.udevRulesPath]
        if exact.contains(path) { return true }
        func name(in directory: String) -> String? {
            guard path.hasPrefix(directory + "/") else { return nil }
            let rest = String(path.dropFirst(directory.count + 1))
            return rest.contains("/") || rest.isEmpty ? nil : rest
        }
        if let n = name(in: GrubDefaults.dropInDirectory), n.hasSuffix(".cfg"), n.count > 4 { return true }
        if let n = name(in: "/etc/modprobe.d"), n.hasPrefix("sriov-wizard-"), n.hasSuffix(".conf") {
            let driver = n.dropFirst("sriov-wizard-".count).dropLast(".conf".count)
            return !driver.isEmpty && driver.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        }
        if let n = name(in: ProxmoxPassthroughConfig.vmDirectory), n.hasSuffix(".conf") {
            let id = n.dropLast(".conf".count)
            return !id.isEmpty && id.allSatisfy { $0.isASCII && $0.isNumber }
        }
        return false
    }

    /// `/sys/bus/pci/devices/<PCI address>/sriov_numvfs` or `.../sriov_drivers_autoprobe`.
    public static func isPlannedAttribute(_ path: String) -> Bool {
        let prefix = SysfsInventory.devicesPath + "/"
        guard path.hasPrefix(prefix) else { return false }
        let rest = path.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false)
        guard rest.count == 2, let address = PCIAddress(rest[0]), "\(address)" == rest[0] else { return false }
        return rest[1] == "sriov_numvfs" || rest[1] == "sriov_drivers_autoprobe"
    }

    /// A value apply writes to those attributes: a decimal count.
    public static func isPlannedValue(_ value: String) -> Bool {
        !value.isEmpty && value.count <= 5 && value.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// The commands the planners run, with their exact argv.
    public static func isPlannedCommand(_ argv: [String]) -> Bool {
        let fixed: [[String]] = [["update-initramfs", "-u", "-k", "all"], ["update-grub"], ["proxmox-boot-tool", "refresh"], ["udevadm", "control", "--reload"]]
        if fixed.contains(argv) { return true }
        func digits(_ s: String) -> Bool { !s.isEmpty && s.count <= 9 && s.allSatisfy { $0.isASCII && $0.isNumber } }
        // VFPlanner: IP link set NETDEV vf N mac MAC.
        if argv.count == 8, ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].contains(argv[0]),
           argv[1] == "link", argv[2] == "set", VFPlanner.isPlainInterfaceName(argv[3]), argv[4] == "vf", digits(argv[5]), argv[6] == "mac" {
            let octets = argv[7].split(separator: ":", omittingEmptySubsequences: false)
            return octets.count == 6 && octets.allSatisfy { $0.count == 2 && $0.allSatisfy(\.isHexDigit) }
        }
        // PassthroughPlanner: qm set VMID -hostpciN ADDRESS|mapping=NAME[,pcie=1]; MappingPlanner: pvesh create.
        if PassthroughPlanner.isPlanned(argv) || MappingPlanner.isPlanned(argv) { return true }
        return false
    }

    /// Why a step is not something apply plans (nil: it is).
    public static func refusal(_ step: JournalStep) -> String? {
        let what = "step \(step.index + 1) (\(step.description))"
        switch step.kind {
        case .file:
            guard let path = step.path, isPlannedFile(path) else {
                return "\(what): \(step.path ?? "no path") is not a file sriov-wizard apply edits"
            }
            if let mode = step.mode, mode & ~0o777 != 0 {
                return "\(what): mode \(String(mode, radix: 8)) for \(path) is not one apply records (no setuid, setgid or sticky bits)"
            }
            for dir in step.createdDirectories ?? [] where !(dir.hasPrefix("/etc/") && path.hasPrefix(dir + "/") && isPlannedFile(path)) {
                return "\(what): \(dir) is not a directory on the way to \(path) under /etc"
            }
        case .sysfs:
            guard let path = step.path, isPlannedAttribute(path) else {
                return "\(what): \(step.path ?? "no path") is not a sriov_numvfs or sriov_drivers_autoprobe attribute of a PCI function"
            }
            for value in [step.value, step.previousValue].compactMap({ $0 }) where !isPlannedValue(value) {
                return "\(what): \(ShellWords.quote(value)) is not a value apply writes to \(path)"
            }
            if step.createdDirectories != nil { return "\(what): a sysfs step creates no directories" }
        case .command:
            guard let argv = step.argv, isPlannedCommand(argv) else {
                return "\(what): `\(ShellWords.display(step.argv ?? []))` is not a command sriov-wizard apply runs"
            }
        }
        return nil
    }
}

/// What `history` says about a journal: its state, and for one that was interrupted (the
/// process killed during apply) what was done and how to finish or undo it.
public enum JournalExplanation {
    /// nil for a journal that ended (applied, failed, rolled back).
    public static func interrupted(_ manifest: JournalManifest) -> LocalizedText? {
        if manifest.state == .rollingBack {
            let files = manifest.steps.filter { $0.kind == .file && $0.existed != nil }
            let restored = files.filter { $0.state == .rolledBack }.count
            return LocalizedText(
                en: "interrupted during rollback: \(restored) of \(files.count) file steps restored. Run `sriov-wizard rollback --id \(manifest.id)` again to finish it.",
                es: "interrumpido mientras se deshacía: \(restored) de \(files.count) pasos de fichero restaurados. Ejecute `sriov-wizard rollback --id \(manifest.id)` otra vez para terminar.")
        }
        guard manifest.state == .applying else { return nil }
        let done = manifest.steps.filter { $0.state == .done }.count
        let open = manifest.steps.first { $0.state == .started }
        let inProgressEN = open.map { " Step \($0.index + 1) (\(JournalText.describe($0).en)) was in progress: it may or may not have happened." } ?? ""
        let inProgressES = open.map { " El paso \($0.index + 1) (\(JournalText.describe($0).es)) estaba en curso: puede haberse hecho o no." } ?? ""
        return LocalizedText(
            en: "interrupted: apply stopped after \(done) of \(manifest.steps.count) steps.\(inProgressEN) `sriov-wizard rollback --id \(manifest.id)` undoes what was done; or run the same apply again to finish.",
            es: "interrumpido: apply se detuvo tras \(done) de \(manifest.steps.count) pasos.\(inProgressES) `sriov-wizard rollback --id \(manifest.id)` deshace lo hecho; o ejecute el mismo apply otra vez para terminar.")
    }

    /// A journal whose manifest cannot be read.
    public static func unreadable(id: String, error: HostAccessError) -> LocalizedText {
        if case .notFound = error {
            return LocalizedText(
                en: "interrupted while the journal was being created, before any change: nothing was changed; the directory \(Journal.directory)/\(id) can be removed.",
                es: "interrumpido mientras se creaba el diario, antes de cualquier cambio: no se cambió nada; el directorio \(Journal.directory)/\(id) se puede borrar.")
        }
        return LocalizedText(en: "unreadable: \(error.description)", es: "ilegible: \(error.description)")
    }
}
