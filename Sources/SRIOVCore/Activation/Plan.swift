import HostAccess

/// A change to a machine, planned before anything is touched: ordered steps that `apply`
/// shows as a diff, asks to confirm, runs atomically with a journal, and `rollback` undoes.
/// An empty plan means the change is already in place ("already applied").
public struct Plan: Sendable, Equatable {
    public enum Step: Sendable, Equatable {
        case edit(FileEdit)
        case sysfs(AttributeWrite)
        case command(PlannedCommand)

        public var summary: String {
            switch self {
            case .edit(let e): return (e.after == nil ? "remove " : (e.before == nil ? "create " : "edit ")) + e.path
            case .sysfs(let w): return "write \(w.value) to \(w.path)"
            case .command(let c): return "run " + ShellWords.display(c.argv)
            }
        }

        public var reason: String {
            switch self {
            case .edit(let e): return e.reason
            case .sysfs(let w): return w.reason
            case .command(let c): return c.reason
            }
        }
    }

    /// One line saying what the plan does (`4 VFs on 0000:01:00.0 via sysfs`).
    public var title: String
    public var steps: [Step]
    /// Caveats the user should read before confirming.
    public var notes: [String]
    /// What takes effect only later (`the kernel command line: at the next boot`).
    public var pending: [String]
    /// Things found already in place.
    public var alreadyApplied: [String]
    /// The stages to verify again after applying.
    public var stages: [StageID]
    /// Commands the user has to run elsewhere (e.g. `qm set` on a host without `qm`).
    public var manual: [String] = []

    public init(title: String, steps: [Step] = [], notes: [String] = [], pending: [String] = [],
                alreadyApplied: [String] = [], stages: [StageID] = []) {
        self.title = title
        self.steps = steps
        self.notes = notes
        self.pending = pending
        self.alreadyApplied = alreadyApplied
        self.stages = stages
    }

    public var isEmpty: Bool { steps.isEmpty }

    /// Plans applied together, in order.
    public static func combined(_ plans: [Plan]) -> Plan {
        guard plans.count != 1 else { return plans[0] }
        var result = Plan(title: plans.map(\.title).joined(separator: "; "))
        for p in plans {
            result.steps += p.steps
            result.notes += p.notes
            result.pending += p.pending
            result.alreadyApplied += p.alreadyApplied
            result.manual += p.manual
            for s in p.stages where !result.stages.contains(s) { result.stages.append(s) }
        }
        return result
    }

    /// Files the plan may write; `apply` refuses to touch any other.
    public var editedPaths: Set<String> {
        Set(steps.compactMap { if case .edit(let e) = $0 { return e.path } else { return nil } })
    }
}

/// A whole-file change: the bytes expected now and the bytes to write (nil: remove the file).
public struct FileEdit: Sendable, Equatable {
    public var path: String
    /// nil: the file does not exist yet.
    public var before: [UInt8]?
    public var after: [UInt8]?
    /// Mode for a new file (an existing file keeps its own).
    public var mode: UInt32
    public var reason: String

    public init(path: String, before: [UInt8]?, after: [UInt8]?, mode: UInt32 = 0o644, reason: String) {
        self.path = path
        self.before = before
        self.after = after
        self.mode = mode
        self.reason = reason
    }

    /// `diff -u` of the change.
    public var diff: String {
        UnifiedDiff.make(old: before.map { String(decoding: $0, as: UTF8.self) }, new: after.map { String(decoding: $0, as: UTF8.self) }, path: path)
    }
}

/// One write of a sysfs attribute (e.g. `sriov_numvfs`).
public struct AttributeWrite: Sendable, Equatable {
    public var path: String
    public var value: String
    public var reason: String
    public init(path: String, value: String, reason: String) {
        self.path = path
        self.value = value
        self.reason = reason
    }
}

/// A command as an argv array (never a shell string).
public struct PlannedCommand: Sendable, Equatable {
    public var argv: [String]
    public var reason: String
    /// Regenerates something from the files (update-initramfs, update-grub, udevadm reload):
    /// run again after a rollback restored the files.
    public var rerunOnRollback: Bool
    public var timeout: Double

    public init(_ argv: [String], reason: String, rerunOnRollback: Bool = false, timeout: Double = 600) {
        self.argv = argv
        self.reason = reason
        self.rerunOnRollback = rerunOnRollback
        self.timeout = timeout
    }
}

/// Why a plan cannot be made, in words that say what to do.
public struct ActivationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
