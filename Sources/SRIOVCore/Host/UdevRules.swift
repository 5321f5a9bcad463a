import HostAccess

/// udev rule files (udev(7)): `*.rules` from the search path, /etc hiding /usr/lib, in
/// file-name order. A rule is one logical line of comma-separated `KEY[{attr}]OP"value"`
/// pairs; `#` lines are comments and a trailing `\` continues a line.
public struct UdevRules: Sendable, Equatable {
    /// udev(7) search path, highest priority first.
    public static let directories = ["/etc/udev/rules.d", "/run/udev/rules.d", "/usr/local/lib/udev/rules.d",
                                     "/lib/udev/rules.d", "/usr/lib/udev/rules.d"]

    /// One `KEY{attribute}OP"value"` pair.
    public struct Pair: Sendable, Equatable {
        public var key: String
        public var attribute: String?
        /// `==`, `!=`, `=`, `+=`, `-=`, `:=`.
        public var op: String
        public var value: String

        public var isMatch: Bool { op == "==" || op == "!=" }
    }

    public struct Rule: Sendable, Equatable {
        public var location: ConfigLocation
        public var text: String
        public var pairs: [Pair]

        /// Match pairs with this key (`KERNEL`, `ATTR` with attribute ...).
        public func matches(_ key: String) -> [Pair] { pairs.filter { $0.key == key && $0.isMatch } }
    }

    public var files: [String] = []
    public var rules: [Rule] = []
    public var problems: [ConfigProblem] = []

    public init() {}

    public init(files: [(path: String, text: String)]) {
        for file in files { parse(file.text, file: file.path) }
    }

    /// Reads the rule files. `directories` defaults to /etc only: the packaged rules in
    /// /usr/lib never create VFs, and a snapshot carries /etc/udev/rules.d only.
    public static func read(_ machine: Machine, directories: [String] = ["/etc/udev/rules.d", "/run/udev/rules.d"]) -> UdevRules {
        var rules = UdevRules()
        for path in ConfigText.configFiles(machine, directories: directories, suffix: ".rules").files {
            do {
                rules.parse(try machine.readText(path, limit: ConfigText.fileLimit), file: path)
            } catch {
                rules.files.append(path)
                rules.problems.append(ConfigProblem(location: ConfigLocation(file: path, line: 0), error: error))
            }
        }
        return rules
    }

    mutating func parse(_ text: String, file: String) {
        files.append(file)
        for line in ConfigText.logicalLines(text, file: file) where !line.isBlankOrComment {
            switch UdevRules.pairs(line.trimmed) {
            case .success(let pairs):
                rules.append(Rule(location: line.location, text: line.trimmed, pairs: pairs))
            case .failure(let problem):
                problems.append(ConfigProblem(location: line.location, text: problem.message))
            }
        }
    }

    struct ParseFailure: Error { var message: LocalizedText }

    /// Scans `KEY{attr}OP"value", ...`. Values may carry udev's `e`/`r` string prefix.
    static func pairs(_ text: String) -> Result<[Pair], ParseFailure> {
        let chars = Array(text)
        var i = 0
        var result: [Pair] = []
        func skipSeparators() { while i < chars.count, chars[i] == " " || chars[i] == "\t" || chars[i] == "," { i += 1 } }
        skipSeparators()
        while i < chars.count {
            var key = ""
            while i < chars.count, chars[i].isLetter || chars[i] == "_" || chars[i].isNumber { key.append(chars[i]); i += 1 }
            guard !key.isEmpty else { return .failure(ParseFailure(message: LocalizedText(en: "expected a key at column \(i + 1): '\(String(chars[i...]).prefix(30))'", es: "se esperaba una clave en la columna \(i + 1): '\(String(chars[i...]).prefix(30))'"))) }
            var attribute: String?
            if i < chars.count, chars[i] == "{" {
                guard let close = chars[i...].firstIndex(of: "}") else {
                    return .failure(ParseFailure(message: LocalizedText(en: "'{' without '}' after \(key)", es: "'{' sin '}' tras \(key)")))
                }
                attribute = String(chars[(i + 1)..<close])
                i = close + 1
            }
            while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 }
            var op = ""
            for candidate in ["==", "!=", "+=", "-=", ":=", "="] where op.isEmpty {
                let c = Array(candidate)
                if i + c.count <= chars.count, Array(chars[i..<(i + c.count)]) == c { op = candidate; i += c.count }
            }
            guard !op.isEmpty else { return .failure(ParseFailure(message: LocalizedText(en: "expected an operator after \(key)", es: "se esperaba un operador tras \(key)"))) }
            while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 }
            if i + 1 < chars.count, chars[i] == "e" || chars[i] == "r", chars[i + 1] == "\"" { i += 1 }
            guard i < chars.count, chars[i] == "\"" else {
                return .failure(ParseFailure(message: LocalizedText(en: "expected a quoted value after \(key)\(op)", es: "se esperaba un valor entre comillas tras \(key)\(op)")))
            }
            i += 1
            var value = ""
            var closed = false
            while i < chars.count {
                if chars[i] == "\\", i + 1 < chars.count, chars[i + 1] == "\"" { value.append("\""); i += 2; continue }
                if chars[i] == "\"" { closed = true; i += 1; break }
                value.append(chars[i])
                i += 1
            }
            guard closed else { return .failure(ParseFailure(message: LocalizedText(en: "unterminated value of \(key)", es: "valor de \(key) sin terminar"))) }
            result.append(Pair(key: key, attribute: attribute, op: op, value: value))
            skipSeparators()
        }
        return .success(result)
    }

    /// udev's pattern matching (udev(7): `*`, `?`, `[...]`, and `|` between alternatives).
    public static func glob(_ pattern: String, matches text: String) -> Bool {
        pattern.split(separator: "|", omittingEmptySubsequences: false).contains { globOne(Array($0), Array(text)) }
    }

    static func globOne(_ p: [Character], _ t: [Character]) -> Bool {
        var pi = 0, ti = 0
        var star = -1, mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "[", let close = p[(pi + 1)...].firstIndex(of: "]") {
                var set = Array(p[(pi + 1)..<close])
                let negate = set.first == "!" || set.first == "^"
                if negate { set.removeFirst() }
                var hit = false
                var k = 0
                while k < set.count {
                    if k + 2 < set.count, set[k + 1] == "-" {
                        if set[k] <= t[ti] && t[ti] <= set[k + 2] { hit = true }
                        k += 3
                    } else {
                        if set[k] == t[ti] { hit = true }
                        k += 1
                    }
                }
                if hit != negate { pi = close + 1; ti += 1; continue }
            } else if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
                pi += 1; ti += 1; continue
            } else if pi < p.count, p[pi] == "*" {
                star = pi; mark = ti; pi += 1; continue
            }
            guard star >= 0 else { return false }
            pi = star + 1
            mark += 1
            ti = mark
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}

extension UdevRules {
    /// The directories `read` looks in by default (the runtime and local rules).
    public static let reads = HostReads("UdevRules", paths: ["/etc/udev/rules.d", "/run/udev/rules.d"].map { .file($0 + "/*.rules", quiet: false) })
}
