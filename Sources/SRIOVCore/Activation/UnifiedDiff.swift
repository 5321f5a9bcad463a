/// `diff -u` output for two versions of a small text file (configuration files: a few
/// hundred lines at most, so a plain LCS table is fine). Hunks carry 3 lines of context.
public enum UnifiedDiff {
    public static func make(old: String?, new: String?, path: String, context: Int = 3) -> String {
        let a = lines(old ?? ""), b = lines(new ?? "")
        let header = "--- " + (old == nil ? "/dev/null" : "a" + path) + "\n+++ " + (new == nil ? "/dev/null" : "b" + path) + "\n"
        // LCS lengths from the end.
        let n = a.count, m = b.count
        var table = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        if n > 0 && m > 0 {
            for i in stride(from: n - 1, through: 0, by: -1) {
                for j in stride(from: m - 1, through: 0, by: -1) {
                    table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
                }
            }
        }
        enum Op { case same(Int, Int), del(Int), add(Int) }
        var ops: [Op] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, a[i] == b[j] { ops.append(.same(i, j)); i += 1; j += 1 }
            else if i < n, j == m || table[i + 1][j] >= table[i][j + 1] { ops.append(.del(i)); i += 1 }
            else { ops.append(.add(j)); j += 1 }
        }
        // Lines of each file consumed before each op.
        var before: [(Int, Int)] = []
        var oldLine = 0, newLine = 0
        for op in ops {
            before.append((oldLine, newLine))
            switch op {
            case .same: oldLine += 1; newLine += 1
            case .del: oldLine += 1
            case .add: newLine += 1
            }
        }
        func isChange(_ op: Op) -> Bool { if case .same = op { return false } else { return true } }
        var out = ""
        var k = 0
        while let firstChange = ops[k...].firstIndex(where: isChange) {
            let start = max(k, firstChange - context)
            var lastChange = firstChange
            var end = firstChange
            while end < ops.count {
                if isChange(ops[end]) { lastChange = end } else if end - lastChange > 2 * context { break }
                end += 1
            }
            let stop = min(ops.count, lastChange + context + 1)
            var oldCount = 0, newCount = 0
            var body = ""
            for op in ops[start..<stop] {
                switch op {
                case .same(let x, _): oldCount += 1; newCount += 1; body += " " + a[x].text + a[x].noEOL
                case .del(let x): oldCount += 1; body += "-" + a[x].text + a[x].noEOL
                case .add(let y): newCount += 1; body += "+" + b[y].text + b[y].noEOL
                }
            }
            // diff -u numbers an empty range by the line before it.
            let oldStart = before[start].0 + (oldCount == 0 ? 0 : 1)
            let newStart = before[start].1 + (newCount == 0 ? 0 : 1)
            out += "@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@\n" + body
            k = stop
            if k >= ops.count { break }
        }
        return out.isEmpty ? "" : header + out
    }

    static func range(_ start: Int, _ count: Int) -> String { count == 1 ? "\(start)" : "\(start),\(count)" }

    struct Line: Equatable {
        var text: String
        var noEOL: String
    }

    /// Lines with their ending kept in the comparison (a CRLF line differs from an LF one).
    static func lines(_ text: String) -> [Line] {
        var result: [Line] = []
        var current = ""
        for scalar in text.unicodeScalars {
            current.unicodeScalars.append(scalar)
            if scalar == "\n" { result.append(Line(text: current, noEOL: "")); current = "" }
        }
        if !current.isEmpty { result.append(Line(text: current + "\n", noEOL: "\\ No newline at end of file\n")) }
        return result
    }
}
