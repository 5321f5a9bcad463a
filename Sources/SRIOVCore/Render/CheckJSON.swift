extension CheckResult {
    public func json(_ language: Language) -> JSONValue {
        .object([
            ("id", .string(id)),
            ("level", .string(level.rawValue)),
            ("device", .optional(device?.description)),
            ("summary", .string(summary.text(language))),
            ("evidence", .array(evidence.map { .string($0.text(language)) })),
            ("hint", .string(hint.text(language))),
        ])
    }
}

extension StageReport {
    public func json(_ language: Language) -> JSONValue {
        .object([
            ("id", .string(id.rawValue)),
            ("title", .string(Stage.named(id).title.text(language))),
            ("level", .string(level.rawValue)),
            ("checks", .array(checks.map { $0.json(language) })),
        ])
    }
}

/// The whole `check --format json` document.
public func checkDocument(host: HostSummary, stages: [StageReport], inventory: Inventory, devices: [PCIFunction],
                          language: Language) -> JSONValue {
    .object([
        ("tool", .object([("name", .string(ToolInfo.name)), ("version", .string(ToolInfo.version))])),
        ("language", .string(language.rawValue)),
        ("host", host.json),
        ("level", .string(CheckLevel.worst(stages.map(\.level)).rawValue)),
        ("stages", .array(stages.map { $0.json(language) })),
        ("devices", .array(devices.map(\.json))),
        ("issues", .array(inventory.issues.map { .object([("path", .string($0.path)), ("message", .string($0.message))]) })),
    ])
}
