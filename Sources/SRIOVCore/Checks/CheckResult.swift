/// How a check came out. A stage's level is the worst of its checks' levels.
public enum CheckLevel: String, Sendable, Codable, CaseIterable {
    case pass, note, warn, fail
    /// Not run: the user skipped it, or it does not apply (e.g. no SR-IOV device to look at).
    case skip

    /// Order for "worst of": skip < pass < note < warn < fail.
    public var severity: Int {
        switch self {
        case .skip: return 0
        case .pass: return 1
        case .note: return 2
        case .warn: return 3
        case .fail: return 4
        }
    }

    public static func worst(_ levels: [CheckLevel]) -> CheckLevel {
        levels.max { $0.severity < $1.severity } ?? .skip
    }

    /// PASS / NOTE / WARN / FAIL / SKIP, as printed.
    public var label: String { rawValue.uppercased() }

    /// The label in `language`: PASS / NOTE / WARN / FAIL / SKIP, or OK / NOTA / AVISO /
    /// FALLO / OMIT.
    public func label(_ language: Language) -> String {
        guard language == .es else { return label }
        switch self {
        case .pass: return "OK"
        case .note: return "NOTA"
        case .warn: return "AVISO"
        case .fail: return "FALLO"
        case .skip: return "OMIT"
        }
    }

    /// The width of the widest label in `language` (for aligned columns).
    public static func labelWidth(_ language: Language) -> Int {
        allCases.map { $0.label(language).count }.max() ?? 4
    }
}

/// The outcome of one check: a value that the console, JSON, XML and HTML only render.
public struct CheckResult: Sendable, Equatable {
    /// Stable id, used in JSON and reports (e.g. `iommu-active`).
    public var id: String
    public var stage: StageID
    public var level: CheckLevel
    /// One sentence.
    public var summary: LocalizedText
    /// What was read: files, lines and values (`/proc/cmdline: ... intel_iommu=on`), the words
    /// around the record in every language (see `Evidence`).
    public var evidence: [Evidence]
    /// The exact fix (BIOS menu path, command, file to edit); empty when nothing is to be done.
    public var hint: LocalizedText
    /// The device this result concerns, when it concerns one.
    public var device: PCIAddress?

    public init(id: String, stage: StageID, level: CheckLevel, summary: LocalizedText,
                evidence: [Evidence] = [], hint: LocalizedText = .none, device: PCIAddress? = nil) {
        self.id = id
        self.stage = stage
        self.level = level
        self.summary = summary
        self.evidence = evidence
        self.hint = hint
        self.device = device
    }
}

/// A check: reads the context, returns one or more results (one per device where it concerns
/// devices). Checks never print.
public protocol Check: Sendable {
    static var id: String { get }
    static var stage: StageID { get }
    static func run(_ context: CheckContext) -> [CheckResult]
}

extension Check {
    /// A result of this check.
    public static func result(_ level: CheckLevel, _ summary: LocalizedText, evidence: [Evidence] = [],
                              hint: LocalizedText = .none, device: PCIAddress? = nil) -> CheckResult {
        CheckResult(id: id, stage: stage, level: level, summary: summary, evidence: evidence, hint: hint, device: device)
    }
}
