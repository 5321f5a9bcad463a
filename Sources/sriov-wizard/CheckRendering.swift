import SRIOVCore

/// Text rendering of stages and checks for people.
struct CheckRenderer {
    let console: Console
    let language: Language
    var showEvidence = false

    func mark(_ level: CheckLevel) -> String {
        let label = level.label.padding(4)
        switch level {
        case .pass: return console.paint(label, .green)
        case .note: return console.paint(label, .cyan)
        case .warn: return console.paint(label, .yellow)
        case .fail: return console.paint(label, .red)
        case .skip: return console.paint(label, .dim)
        }
    }

    func header(_ host: HostSummary) -> String {
        var parts = ["\(ToolInfo.name) \(ToolInfo.version)"]
        if let h = host.hostname { parts.append((language == .es ? "host " : "host ") + h) }
        if let k = host.kernel { parts.append("kernel " + k) }
        parts.append("root " + host.root)
        return console.paint(parts.joined(separator: " · "), .bold)
    }

    func stageTitle(_ report: StageReport, number: Int) -> String {
        let stage = Stage.named(report.id)
        let word = language == .es ? "Etapa" : "Stage"
        return console.paint("\(word) \(number)/\(Stage.all.count): \(stage.title.text(language))", .bold) + "  " + mark(report.level)
    }

    func checks(_ report: StageReport) -> [String] {
        let width = report.checks.map(\.id.count).max() ?? 0
        var lines: [String] = []
        for check in report.checks {
            let device = check.device.map { " [\($0)]" } ?? ""
            lines.append("  \(mark(check.level))  \(check.id.padding(width))  \(check.summary.text(language))\(device)")
            let indent = String(repeating: " ", count: 10 + width)
            if check.level != .pass, !check.hint.isEmpty {
                let arrow = language == .es ? "solución: " : "fix: "
                for (i, line) in check.hint.text(language).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    lines.append(indent + (i == 0 ? console.paint(arrow, .bold) : String(repeating: " ", count: arrow.count)) + line)
                }
            }
            if showEvidence {
                for item in check.evidence { lines.append(indent + console.paint("· " + item, .dim)) }
            }
        }
        return lines
    }

    func stage(_ report: StageReport, number: Int) -> String {
        ([stageTitle(report, number: number)] + checks(report)).joined(separator: "\n")
    }

    func verdict(_ reports: [StageReport]) -> String {
        let all = reports.flatMap(\.checks)
        let failed = all.filter { $0.level == .fail }.count
        let warned = all.filter { $0.level == .warn }.count
        if failed == 0 && warned == 0 {
            return console.paint(language == .es ? "Todo verificado." : "Everything verified.", .green)
        }
        let text = language == .es
            ? "Resultado: \(failed) con fallo, \(warned) con aviso."
            : "Result: \(failed) failed, \(warned) with warnings."
        var lines = [console.paint(text, failed > 0 ? .red : .yellow)]
        if let first = all.first(where: { $0.level == .fail }) ?? all.first(where: { $0.level == .warn }), !first.hint.isEmpty {
            lines.append((language == .es ? "Siguiente paso (" : "Next step (") + first.id + "): " + first.hint.text(language))
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
