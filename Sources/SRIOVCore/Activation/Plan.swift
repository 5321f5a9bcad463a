import HostAccess

/// A change to a machine, planned before anything is touched: ordered steps that `apply`
/// shows as a diff, asks to confirm, runs atomically with a journal, and `rollback` undoes.
/// An empty plan means the change is already in place ("already applied").
public struct Plan: Sendable, Equatable {
    public enum Step: Sendable, Equatable {
        case edit(FileEdit)
        case sysfs(AttributeWrite)
        case command(PlannedCommand)

        /// What the step does, in one line (`edit /etc/default/grub`); the journal keeps the
        /// English one, `JournalText` renders either language from the recorded step.
        public var summary: LocalizedText {
            switch self {
            case .edit(let e):
                return e.after == nil ? LocalizedText(en: "remove " + e.path, es: "borrar " + e.path)
                    : e.before == nil ? LocalizedText(en: "create " + e.path, es: "crear " + e.path)
                    : LocalizedText(en: "edit " + e.path, es: "editar " + e.path)
            case .sysfs(let w): return JournalText.write(w.value, to: w.path)
            case .command(let c): return JournalText.run(c.argv)
            }
        }

        /// The step as the journal records it before anything is done (state `pending`).
        public func record(index: Int) -> JournalStep {
            var record: JournalStep
            switch self {
            case .edit(let e): record = JournalStep(index: index, kind: .file, description: summary.en, path: e.path)
            case .sysfs(let w): record = JournalStep(index: index, kind: .sysfs, description: summary.en, path: w.path); record.value = w.value
            case .command(let c): record = JournalStep(index: index, kind: .command, description: summary.en, argv: c.argv); record.rerunOnRollback = c.rerunOnRollback
            }
            return record
        }

        public var reason: LocalizedText {
            switch self {
            case .edit(let e): return e.reason
            case .sysfs(let w): return w.reason
            case .command(let c): return c.reason
            }
        }
    }

    /// One line saying what the plan does (`4 VFs on 0000:01:00.0 via sysfs`).
    /// Every text of a plan is in every language: `apply`, the wizard, `rollback` and
    /// `history` print the one the user chose.
    public var title: LocalizedText
    public var steps: [Step]
    /// Caveats the user should read before confirming.
    public var notes: [LocalizedText]
    /// What takes effect only later (`the kernel command line: at the next boot`).
    public var pending: [LocalizedText]
    /// Things found already in place.
    public var alreadyApplied: [LocalizedText]
    /// The stages to verify again after applying.
    public var stages: [StageID]
    /// Commands the user has to run elsewhere (e.g. `qm set` on a host without `qm`).
    public var manual: [LocalizedText] = []

    public init(title: LocalizedText, steps: [Step] = [], notes: [LocalizedText] = [], pending: [LocalizedText] = [],
                alreadyApplied: [LocalizedText] = [], stages: [StageID] = []) {
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
        var result = Plan(title: LocalizedText(en: plans.map(\.title.en).joined(separator: "; "),
                                               es: plans.map(\.title.es).joined(separator: "; ")))
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
    public var reason: LocalizedText

    public init(path: String, before: [UInt8]?, after: [UInt8]?, mode: UInt32 = 0o644, reason: LocalizedText) {
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
    public var reason: LocalizedText
    public init(path: String, value: String, reason: LocalizedText) {
        self.path = path
        self.value = value
        self.reason = reason
    }
}

/// A command as an argv array (never a shell string).
public struct PlannedCommand: Sendable, Equatable {
    public var argv: [String]
    public var reason: LocalizedText
    /// Regenerates something from the files (update-initramfs, update-grub, udevadm reload):
    /// run again after a rollback restored the files.
    public var rerunOnRollback: Bool
    public var timeout: Double

    public init(_ argv: [String], reason: LocalizedText, rerunOnRollback: Bool = false, timeout: Double = 600) {
        self.argv = argv
        self.reason = reason
        self.rerunOnRollback = rerunOnRollback
        self.timeout = timeout
    }
}

/// The words for recorded steps, from what the journal holds (kind, path, value, argv), so
/// that `rollback`, `history` and apply's outcome lines speak the chosen language for any
/// journal, old ones with English-only descriptions included.
public enum JournalText {
    public static func write(_ value: String, to path: String) -> LocalizedText {
        LocalizedText(en: "write \(value) to \(path)", es: "escribir \(value) en \(path)")
    }

    public static func run(_ argv: [String]) -> LocalizedText {
        let shown = ShellWords.display(argv)
        return LocalizedText(en: "run " + shown, es: "ejecutar " + shown)
    }

    /// A recorded step in words. File steps keep the verb the plan recorded (`create`,
    /// `edit`, `remove`); a description this code does not know is shown as recorded.
    public static func describe(_ step: JournalStep) -> LocalizedText {
        switch step.kind {
        case .sysfs:
            if let path = step.path, let value = step.value { return write(value, to: path) }
        case .command:
            if let argv = step.argv { return run(argv) }
        case .file:
            if let path = step.path {
                for (en, es) in [("create ", "crear "), ("edit ", "editar "), ("remove ", "borrar ")] where step.description == en + path {
                    return LocalizedText(en: en + path, es: es + path)
                }
            }
        }
        return LocalizedText(en: step.description, es: step.description)
    }

    /// What the recorded outcome of a step (`unchanged`, `written`, `recorded in the snapshot`) says.
    public static func outcome(_ outcome: String) -> LocalizedText {
        switch outcome {
        case "unchanged": return LocalizedText(en: "unchanged", es: "sin cambios")
        case "written": return LocalizedText(en: "written", es: "escrito")
        case "unknown": return LocalizedText(en: "unknown", es: "desconocido")
        case "recorded in the snapshot": return LocalizedText(en: outcome, es: "anotado en la instantánea")
        default: return LocalizedText(en: outcome, es: outcome)
        }
    }

    /// The plan's title as recorded, in `language` when the journal has it (journals written
    /// before the Spanish title was recorded have only the English one).
    public static func summary(_ manifest: JournalManifest, _ language: Language) -> String {
        language == .es ? (manifest.summaryES ?? manifest.summary) : manifest.summary
    }

    public static func notes(_ manifest: JournalManifest, _ language: Language) -> [String] {
        language == .es ? (manifest.notesES ?? manifest.notes) : manifest.notes
    }

    /// `applied`, `rolled-back`, … as printed by `history`.
    public static func state(_ state: JournalManifest.State, _ language: Language) -> String {
        guard language == .es else { return state.rawValue }
        switch state {
        case .applying: return "aplicando"
        case .applied: return "aplicado"
        case .failed: return "fallido"
        case .rollingBack: return "deshaciendo"
        case .rolledBack: return "deshecho"
        case .rollbackFailed: return "deshacer-fallido"
        }
    }
}
