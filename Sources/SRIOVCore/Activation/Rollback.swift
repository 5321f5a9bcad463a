import HostAccess
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Undoes a recorded apply: every file the apply began to write gets its old bytes, mode and
/// owner back (or is removed when it did not exist), `sriov_numvfs` goes back to the value it
/// had, and the regenerating commands (update-initramfs, update-grub, udevadm reload) run
/// again over the restored files. Refuses, before touching anything, when a file was changed
/// since the apply by someone else.
public struct Rollback: Sendable {
    public let machine: Machine
    public let operations: any FileOperations
    public var performsHostActions: Bool

    public init(machine: Machine, operations: any FileOperations = LiveFileOperations(), performsHostActions: Bool? = nil) {
        self.machine = machine
        self.operations = operations
        self.performsHostActions = performsHostActions ?? machine.isLive
    }

    public enum Action: Sendable, Equatable {
        case restore(path: String, diff: String)
        case remove(path: String, diff: String)
        case unchanged(path: String)
        case sysfs(path: String, values: [String])
        case command([String])

        public var text: String {
            switch self {
            case .restore(let p, _): return "restore \(p)"
            case .remove(let p, _): return "remove \(p) (it did not exist before)"
            case .unchanged(let p): return "\(p) is already as before"
            case .sysfs(let p, let v): return v.map { "write \($0) to \(p)" }.joined(separator: ", then ")
            case .command(let argv): return "run " + ShellWords.display(argv)
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
            journal = try Journal.open(machine, id: id)
            manifest = try journal.load()
        } catch { throw ActivationError("journal \(id): \(error.description); `sriov-wizard history` lists the recorded applies.") }
        if manifest.state == .rolledBack {
            throw ActivationError("apply \(id) was already rolled back at \(manifest.rolledBackAt ?? "an earlier time"); nothing to do.")
        }
        let editor = FileEditor(machine: machine, operations: operations)
        var actions: [Action] = []
        var conflicts: [String] = []
        for step in manifest.steps.reversed() where step.kind == .file {
            guard [.started, .done, .failed, .rolledBack].contains(step.state), let path = step.path, step.existed != nil else { continue }
            let old: [UInt8]
            do { old = try journal.backup(step.index) } catch {
                conflicts.append("\(path): the backup is missing (\(error.description))")
                continue
            }
            let before: [UInt8]? = step.existed == true ? old : nil
            let now: FileState
            do { now = try editor.state(of: path) } catch {
                conflicts.append("\(path): \(error.description)")
                continue
            }
            if now.bytes == before {
                if !actions.contains(.unchanged(path: path)) { actions.append(.unchanged(path: path)) }
                continue
            }
            let written = journal.after(step.index)
            if now.bytes != written {
                conflicts.append("\(path) was changed after apply \(id) wrote it; not restored (compare it with \(journal.hostDirectory)/backups/\(step.index) and restore by hand)")
                continue
            }
            let diff = UnifiedDiff.make(old: now.bytes.map { String(decoding: $0, as: UTF8.self) },
                                        new: before.map { String(decoding: $0, as: UTF8.self) }, path: path)
            actions.append(before == nil ? .remove(path: path, diff: diff) : .restore(path: path, diff: diff))
        }
        if !conflicts.isEmpty {
            throw ActivationError("cannot roll back \(id) safely; nothing was changed:\n  " + conflicts.joined(separator: "\n  "))
        }
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
        actionLoop: for action in planned.actions {
            switch action {
            case .unchanged: continue
            case .restore(let path, _), .remove(let path, _):
                // The earliest step for this path holds the original bytes.
                guard let step = manifest.steps.first(where: { $0.kind == .file && $0.path == path && $0.existed != nil }),
                      let old = try? journal.backup(step.index) else { failure = "\(path): backup missing"; break actionLoop }
                do {
                    try editor.replace(path, with: step.existed == true ? old : nil, mode: mode_t(step.mode ?? 0o644),
                                       uid: step.uid.map { uid_t($0) }, gid: step.gid.map { gid_t($0) })
                    for i in manifest.steps.indices where manifest.steps[i].path == path && manifest.steps[i].kind == .file {
                        manifest.steps[i].state = .rolledBack
                    }
                } catch { failure = "\(path): \(error.description)"; break actionLoop }
            case .sysfs(let path, let values):
                guard performsHostActions else {
                    do { try Rollback.record(values.last ?? "0", at: path, editor) } catch {
                        failure = "\(path): \(error.description)"; break actionLoop
                    }
                    continue
                }
                for value in values {
                    if case .failed(let code) = editor.writeAttribute(path, value) {
                        failure = PlanExecutor.explain(code, write: AttributeWrite(path: path, value: value, reason: "rollback"), machine: machine)
                        break actionLoop
                    }
                }
            case .command(let argv):
                guard performsHostActions else { notRun.append(ShellWords.display(argv)); continue }
                do {
                    let result = try machine.run(argv, timeout: 600)
                    if result.status != 0 {
                        failure = "`\(ShellWords.display(argv))` exited with status \(result.status)" + PlanExecutor.tail(result)
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
