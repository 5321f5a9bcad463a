/// A stage of the guide: plain-words explanation and the checks that verify it.
public struct Stage: Sendable {
    public var id: StageID
    public var title: LocalizedText
    /// What this stage is about, for a first-time user (the interactive wizard shows it).
    public var explanation: LocalizedText
    public var checks: [any Check.Type]

    public init(id: StageID, title: LocalizedText, explanation: LocalizedText, checks: [any Check.Type]) {
        self.id = id
        self.title = title
        self.explanation = explanation
        self.checks = checks
    }

    /// The four stages, in order.
    public static let all: [Stage] = [.prerequisites, .bios, .device, .activation]

    public static func named(_ id: StageID) -> Stage {
        all.first { $0.id == id }!
    }

    /// Runs every check of the stage.
    public func verify(_ context: CheckContext) -> StageReport {
        let results = checks.flatMap { $0.run(context) }
        return StageReport(id: id, checks: results)
    }
}

/// The outcome of one stage: its checks' results; its level is the worst of them.
public struct StageReport: Sendable, Equatable {
    public var id: StageID
    public var checks: [CheckResult]

    public init(id: StageID, checks: [CheckResult]) {
        self.id = id
        self.checks = checks
    }

    public var level: CheckLevel { CheckLevel.worst(checks.map(\.level)) }
    /// A stage verifies when none of its checks failed.
    public var verified: Bool { level != .fail }
}

/// Runs the given stages (all four by default) in order.
public func verifyStages(_ context: CheckContext, only: [StageID]? = nil) -> [StageReport] {
    Stage.all.filter { only?.contains($0.id) ?? true }.map { $0.verify(context) }
}
