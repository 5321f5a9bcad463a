import HostAccess
import SRIOVCore

/// Text rendering of stages and checks for people.
struct CheckRenderer {
    let console: Console
    let language: Language
    var showEvidence = false

    func mark(_ level: CheckLevel) -> String {
        let label = level.label(language).padding(CheckLevel.labelWidth(language))
        switch level {
        case .pass: return console.paint(label, .green)
        case .note: return console.paint(label, .cyan)
        case .warn: return console.paint(label, .yellow)
        case .fail: return console.paint(label, .red)
        case .skip: return console.paint(label, .dim)
        }
    }

    /// Everything below comes from the host or a snapshot: control characters, ESC sequences
    /// and bidi overrides in it are shown as escapes (`TerminalText`), never sent raw.
    func header(_ host: HostSummary) -> String {
        var parts = ["\(ToolInfo.name) \(ToolInfo.version)"]
        if let h = host.hostname { parts.append((language == .es ? "host " : "host ") + h) }
        if let k = host.kernel { parts.append("kernel " + k) }
        parts.append("root " + host.root)
        // Breaks between the parts, never inside one, to stay within the width.
        var lines: [String] = []
        for part in parts.map({ TerminalText.visible($0) }) {
            if let last = lines.last, last.count + 3 + part.count <= width { lines[lines.count - 1] = last + " · " + part }
            else { lines.append(lines.isEmpty ? part : "  " + part) }
        }
        return lines.map { console.paint($0, .bold) }.joined(separator: "\n")
    }

    func stageTitle(_ report: StageReport, number: Int) -> String {
        let stage = Stage.named(report.id)
        let word = language == .es ? "Etapa" : "Stage"
        return console.paint("\(word) \(number)/\(Stage.all.count): \(stage.title.text(language))", .bold) + "  " + mark(report.level)
    }

    /// Line width for wrapping summaries and hints (Terminal.outputWidth: the terminal's
    /// size, else $COLUMNS, else 80); `--width N` sets it.
    var width: Int = Terminal.outputWidth()

    func checks(_ report: StageReport) -> [String] {
        let idWidth = report.checks.map(\.id.count).max() ?? 0
        // "  LABEL  id  ": the summary starts after the widest label of this language.
        let column = 6 + CheckLevel.labelWidth(language) + idWidth
        let indent = String(repeating: " ", count: column)
        var lines: [String] = []
        for check in report.checks {
            let device = check.device.map { " [\($0)]" } ?? ""
            let summary = wrap(TerminalText.visible(check.summary.text(language) + device), first: column, rest: indent)
            lines.append("  \(mark(check.level))  \(check.id.padding(idWidth))  " + summary)
            if check.level != .pass, !check.hint.isEmpty {
                let arrow = language == .es ? "solución: " : "fix: "
                let hanging = indent + String(repeating: " ", count: arrow.count)
                for (i, paragraph) in check.hint.text(language).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let lead = i == 0 ? indent + console.paint(arrow, .bold) : hanging
                    lines.append(lead + wrap(TerminalText.visible(String(paragraph)), first: hanging.count, rest: hanging))
                }
            }
            if showEvidence {
                for item in check.evidence.text(language) {
                    lines.append(indent + console.paint("· " + wrap(TerminalText.visible(item), first: indent.count + 2, rest: indent + "  "), .dim))
                }
            }
        }
        return lines
    }

    /// Words for wrapping; a `backtick-quoted command` stays one word, so it can be pasted.
    static func words(_ text: String) -> [Substring] {
        var words: [Substring] = []
        var start = text.startIndex
        var inCode = false
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if c == "`" { inCode.toggle() }
            if c == " " && !inCode {
                words.append(text[start..<i])
                start = text.index(after: i)
            }
            i = text.index(after: i)
        }
        words.append(text[start...])
        return words
    }

    /// Word-wraps `text` to `width` columns: the first line starts at column `first`, the
    /// following lines with `rest`. Long words (commands, paths) are never broken.
    func wrap(_ text: String, first: Int, rest: String) -> String {
        var lines: [String] = []
        var current = ""
        var column = first
        for word in CheckRenderer.words(text) {
            let add = (current.isEmpty ? 0 : 1) + word.count
            if !current.isEmpty && column + add > width {
                lines.append(current)
                current = String(word)
                column = rest.count + word.count
            } else {
                current += (current.isEmpty ? "" : " ") + word
                column += add
            }
        }
        lines.append(current)
        return lines.joined(separator: "\n" + rest)
    }

    /// One line per check, unwrapped, for grep and for many hosts side by side:
    /// `PASS  prerequisites  iommu-active  [0000:01:00.0]  summary`.
    func brief(_ reports: [StageReport]) -> [String] {
        let all = reports.flatMap { report in report.checks.map { (report.id, $0) } }
        let stageWidth = all.map(\.0.rawValue.count).max() ?? 0
        let idWidth = all.map(\.1.id.count).max() ?? 0
        return all.map { stage, check in
            let device = check.device.map { "[\($0)]  " } ?? ""
            return "\(mark(check.level))  \(stage.rawValue.padding(stageWidth))  \(check.id.padding(idWidth))  \(device)\(TerminalText.visible(check.summary.text(language)))"
        }
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
            lines.append((language == .es ? "Siguiente paso (" : "Next step (") + first.id + "): " + TerminalText.visible(first.hint.text(language)))
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
