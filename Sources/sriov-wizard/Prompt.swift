import HostAccess
import SRIOVCore

/// Answers to yes/no questions in either language: `y`/`yes` and `s`/`sí`/`si` mean yes,
/// `n`/`no` no; anything else is no answer (the caller treats it as "no" for changes).
enum YesNo {
    static func parse(_ answer: String) -> Bool? {
        switch answer.trimmedSpace().lowercased() {
        case "y", "yes", "s", "sí", "si": return true
        case "n", "no": return false
        default: return nil
        }
    }

    /// `[y/N]` in English, `[s/N]` in Spanish.
    static func choices(_ language: Language) -> String { language == .es ? "[s/N]" : "[y/N]" }
}

/// "did you mean" for a mistyped subcommand: `sriov-wizard chek` used to be taken as the
/// default wizard command, which then said it needs a terminal.
enum CommandSuggestion {
    /// The message for `word` when it is not one of `commands`, or nil when it is one, or
    /// looks like an option or a path.
    static func unknownCommand(_ word: String, commands: [String], language: Language) -> String? {
        guard !word.hasPrefix("-"), !word.contains("/"), !commands.contains(word) else { return nil }
        // A word with control characters (a pasted ESC) is shown escaped, never raw.
        let printable = word.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F && !(0x80...0x9F).contains($0.value) }
        let shown = printable ? (language == .es ? "«\(word)»" : "'\(word)'") : word.debugDescription
        let list = commands.joined(separator: ", ")
        if let near = closest(word, in: commands) {
            return language == .es
                ? "orden desconocida \(shown); ¿quiso decir «\(near)»? Órdenes: \(list)."
                : "unknown command \(shown); did you mean '\(near)'? Commands: \(list)."
        }
        return language == .es
            ? "orden desconocida \(shown). Órdenes: \(list). `sriov-wizard --help` las explica."
            : "unknown command \(shown). Commands: \(list). `sriov-wizard --help` explains them."
    }

    /// The command within edit distance 2 (or that `word` is a prefix of), nearest first.
    static func closest(_ word: String, in commands: [String]) -> String? {
        let lower = word.lowercased()
        if let prefixed = commands.first(where: { lower.count >= 2 && $0.hasPrefix(lower) }) { return prefixed }
        let scored = commands.map { ($0, distance(lower, $0)) }.filter { $0.1 <= 2 }
        return scored.min { $0.1 < $1.1 }?.0
    }

    /// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
