import HostAccess

/// Where human-readable output goes, and whether it may be coloured: only on a terminal,
/// never with NO_COLOR set (https://no-color.org), never with TERM=dumb.
struct Console {
    let colour: Bool

    init(forceColour: Bool? = nil) {
        if let forceColour { colour = forceColour; return }
        let noColor = ThisProcess.environment("NO_COLOR").map { !$0.isEmpty } ?? false
        colour = !noColor && ThisProcess.environment("TERM") != "dumb" && ThisProcess.isTerminal(1)
    }

    enum Style: String { case bold = "1", dim = "2", red = "31", green = "32", yellow = "33", cyan = "36" }

    func paint(_ text: String, _ style: Style) -> String {
        colour ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }

    /// Writes a message to standard error.
    static func error(_ message: String) {
        var stream = StandardError()
        print("sriov-wizard: " + message, to: &stream)
    }

    static func warning(_ message: String) {
        var stream = StandardError()
        print("sriov-wizard: " + tr("warning: ", "aviso: ") + message, to: &stream)
    }
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        var bytes = Array(string.utf8)
        bytes.withUnsafeMutableBytes { _ = ThisProcess.writeStandardError($0.baseAddress!, $0.count) }
    }
}

/// Renders rows as aligned columns (widths by character count).
func table(_ header: [String], _ rows: [[String]], paintHeader: (String) -> String = { $0 }) -> String {
    var widths = header.map(\.count)
    for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { i, c in
            i == cells.count - 1 ? c : c + String(repeating: " ", count: widths[i] - c.count)
        }.joined(separator: "  ")
    }
    return ([paintHeader(line(header))] + rows.map(line)).joined(separator: "\n")
}
