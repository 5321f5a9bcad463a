import HostAccess

/// `/etc/default/grub` (and `/etc/default/grub.d/*.cfg`): shell files that grub-mkconfig
/// sources (`update-grub` on Debian), read without running a shell. The subset real files
/// use is understood: `NAME=value` and `export NAME=value` with unquoted, 'single' and
/// "double" quoted parts, `$NAME`/`${NAME}` of variables set earlier, comments, blank lines,
/// CRLF and tabs. Anything else (command substitution, a quote or `\` continuing onto the next
/// line, `if`, two commands on a line) is kept verbatim and reported with file:line, never
/// guessed at. Each line keeps its exact text, line ending and the byte range of the value so
/// that a later editor can change one assignment and leave every other byte as it was.
public struct GrubDefaults: Sendable, Equatable {
    public static let path = "/etc/default/grub"
    public static let dropInDirectory = "/etc/default/grub.d"

    /// How the value of an assignment is written.
    public enum Quoting: String, Sendable, Equatable {
        case none, single, double
        /// Several differently quoted parts glued together (`"a"'b'c`).
        case mixed
    }

    public struct Assignment: Sendable, Equatable {
        public var name: String
        public var exported: Bool
        /// The value word exactly as written (quotes included).
        public var rawValue: String
        /// The value after quote removal, with `$NAME` left as written (see `references`).
        public var literalValue: String
        public var quoting: Quoting
        /// UTF-8 byte range of `rawValue` within the line's text.
        public var valueRange: Range<Int>
        /// Variables the value refers to (`$GRUB_CMDLINE_LINUX_DEFAULT`), in order.
        public var references: [String]
        /// A `# comment` after the value, as written (with the white space before it).
        public var trailingComment: String?
        /// The parts of the value, to expand later against earlier assignments.
        var parts: [Part]
    }

    enum Part: Sendable, Equatable {
        case literal(String)
        case variable(String)
    }

    public enum Kind: Sendable, Equatable {
        case blank
        case comment
        case assignment(Assignment)
        /// A line that is not understood; the reason is also in `issues`.
        case unparsed(reason: LocalizedText)
    }

    public struct Line: Sendable, Equatable {
        /// 1-based.
        public var number: Int
        /// The text without its line ending.
        public var text: String
        /// "\n", "\r\n" or "" (last line without a newline).
        public var ending: String
        public var kind: Kind
    }

    public var path: String
    public var lines: [Line]
    /// Lines the parser refused, located as `file:line`.
    public var issues: [ConfigProblem]

    public init(text: String, path: String = GrubDefaults.path) {
        self.path = path
        var lines: [Line] = []
        var issues: [ConfigProblem] = []
        var number = 0
        for (body, ending) in GrubDefaults.splitLines(text) {
            number += 1
            let kind = GrubDefaults.parseLine(body)
            if case .unparsed(let reason) = kind { issues.append(ConfigProblem(location: ConfigLocation(file: path, line: number), text: reason)) }
            lines.append(Line(number: number, text: body, ending: ending, kind: kind))
        }
        self.lines = lines
        self.issues = issues
    }

    /// The last assignment of a variable in this file, with its line.
    public func lastAssignment(_ name: String) -> (line: Line, assignment: Assignment)? {
        for line in lines.reversed() {
            if case .assignment(let a) = line.kind, a.name == name { return (line, a) }
        }
        return nil
    }

    /// Runs the file's assignments in order over `environment` (the values set by files read
    /// before), as sourcing it would.
    public func evaluate(into environment: inout [String: String]) {
        for line in lines {
            guard case .assignment(let a) = line.kind else { continue }
            var value = ""
            for part in a.parts {
                switch part {
                case .literal(let s): value += s
                case .variable(let v): value += environment[v] ?? ""
                }
            }
            environment[a.name] = value
        }
    }

    /// The text with every line as read (byte for byte, line endings included).
    public var text: String { lines.map { $0.text + $0.ending }.joined() }

    // MARK: - lines

    static func splitLines(_ text: String) -> [(String, String)] {
        var result: [(String, String)] = []
        var current: [UInt8] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x0A {
                if current.last == 0x0D {
                    current.removeLast()
                    result.append((String(decoding: current, as: UTF8.self), "\r\n"))
                } else {
                    result.append((String(decoding: current, as: UTF8.self), "\n"))
                }
                current = []
            } else {
                current.append(b)
            }
            i += 1
        }
        if !current.isEmpty { result.append((String(decoding: current, as: UTF8.self), "")) }
        return result
    }

    static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0B || b == 0x0C }
    static func isNameStart(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F }
    static func isNameChar(_ b: UInt8) -> Bool { isNameStart(b) || (b >= 0x30 && b <= 0x39) }

    static func parseLine(_ text: String) -> Kind {
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count, isBlank(bytes[i]) { i += 1 }
        if i == bytes.count { return .blank }
        if bytes[i] == 0x23 { return .comment }  // '#'

        var exported = false
        if bytes[i...].starts(with: Array("export".utf8)), i + 6 < bytes.count, isBlank(bytes[i + 6]) {
            exported = true
            i += 6
            while i < bytes.count, isBlank(bytes[i]) { i += 1 }
        }
        guard i < bytes.count, isNameStart(bytes[i]) else {
            return .unparsed(reason: LocalizedText(en: "not a NAME=value assignment; left as it is", es: "no es una asignación NOMBRE=valor; se deja como está"))
        }
        let nameStart = i
        while i < bytes.count, isNameChar(bytes[i]) { i += 1 }
        let name = String(decoding: bytes[nameStart..<i], as: UTF8.self)
        guard i < bytes.count, bytes[i] == 0x3D else {  // '='
            if exported { return .unparsed(reason: LocalizedText(en: "`export \(name)` without a value is not understood", es: "`export \(name)` sin valor no se entiende")) }
            return .unparsed(reason: LocalizedText(en: "`\(name)` is not followed by `=`: a command, not an assignment; left as it is", es: "`\(name)` no va seguido de `=`: es una orden, no una asignación; se deja como está"))
        }
        i += 1
        let valueStart = i
        var parts: [Part] = []
        var literal = ""
        var literalBytes: [UInt8] = []
        var kinds = Set<Quoting>()
        var references: [String] = []

        func flushBytes() {
            if !literalBytes.isEmpty { literal += String(decoding: literalBytes, as: UTF8.self); literalBytes = [] }
        }
        func flushLiteral() {
            flushBytes()
            if !literal.isEmpty { parts.append(.literal(literal)); literal = "" }
        }
        /// Reads `$NAME` or `${NAME}` at i (bytes[i] == '$'); nil when it is something else.
        func variable() -> (String, Int)? {
            var j = i + 1
            guard j < bytes.count else { return nil }
            if bytes[j] == 0x7B {  // {
                j += 1
                let s = j
                while j < bytes.count, isNameChar(bytes[j]) { j += 1 }
                guard j < bytes.count, bytes[j] == 0x7D, j > s, isNameStart(bytes[s]) else { return nil }
                return (String(decoding: bytes[s..<j], as: UTF8.self), j + 1)
            }
            guard isNameStart(bytes[j]) else { return nil }
            let s = j
            while j < bytes.count, isNameChar(bytes[j]) { j += 1 }
            return (String(decoding: bytes[s..<j], as: UTF8.self), j)
        }

        while i < bytes.count, !isBlank(bytes[i]) {
            let b = bytes[i]
            switch b {
            case 0x27:  // '
                kinds.insert(.single)
                guard let close = bytes[(i + 1)...].firstIndex(of: 0x27) else {
                    return .unparsed(reason: LocalizedText(en: "the single quote opened here is not closed on this line (multi-line values are not supported)", es: "la comilla simple abierta aquí no se cierra en esta línea (no se admiten valores de varias líneas)"))
                }
                literalBytes.append(contentsOf: bytes[(i + 1)..<close])
                i = close + 1
            case 0x22:  // "
                kinds.insert(.double)
                i += 1
                var closed = false
                while i < bytes.count {
                    let c = bytes[i]
                    if c == 0x22 { closed = true; i += 1; break }
                    if c == 0x5C {  // backslash: only \$ \` \" \\ are escapes inside double quotes
                        guard i + 1 < bytes.count else {
                            return .unparsed(reason: GrubDefaults.continuedLine)
                        }
                        let n = bytes[i + 1]
                        if n == 0x24 || n == 0x60 || n == 0x22 || n == 0x5C { literalBytes.append(n) }
                        else { literalBytes.append(c); literalBytes.append(n) }
                        i += 2
                        continue
                    }
                    if c == 0x60 { return .unparsed(reason: GrubDefaults.backtickSubstitution) }
                    if c == 0x24 {
                        if i + 1 < bytes.count, bytes[i + 1] == 0x28 {
                            return .unparsed(reason: GrubDefaults.dollarSubstitution)
                        }
                        if let (v, next) = variable() {
                            flushLiteral(); parts.append(.variable(v)); references.append(v)
                            i = next
                            continue
                        }
                    }
                    literalBytes.append(c)
                    i += 1
                }
                if !closed {
                    return .unparsed(reason: LocalizedText(en: "the double quote opened here is not closed on this line (multi-line values are not supported)", es: "la comilla doble abierta aquí no se cierra en esta línea (no se admiten valores de varias líneas)"))
                }
            case 0x5C:  // backslash outside quotes
                guard i + 1 < bytes.count else {
                    return .unparsed(reason: GrubDefaults.continuedLine)
                }
                kinds.insert(.none)
                literalBytes.append(bytes[i + 1])
                i += 2
            case 0x24:  // $
                kinds.insert(.none)
                if i + 1 < bytes.count, bytes[i + 1] == 0x28 {
                    return .unparsed(reason: GrubDefaults.dollarSubstitution)
                }
                if let (v, next) = variable() {
                    flushLiteral(); parts.append(.variable(v)); references.append(v)
                    i = next
                } else {
                    literalBytes.append(b); i += 1
                }
            case 0x60:
                return .unparsed(reason: GrubDefaults.backtickSubstitution)
            case 0x3B, 0x26, 0x7C, 0x3C, 0x3E, 0x28, 0x29:  // ; & | < > ( )
                return .unparsed(reason: LocalizedText(en: "shell operator `\(Character(Unicode.Scalar(b)))` after the assignment is not supported", es: "no se admite el operador de shell `\(Character(Unicode.Scalar(b)))` tras la asignación"))
            default:
                kinds.insert(.none)
                literalBytes.append(b)
                i += 1
            }
        }
        flushBytes()
        let valueEnd = i
        let literalValue = parts.reduce("") { text, part in
            switch part {
            case .literal(let s): return text + s
            case .variable(let v): return text + "$" + v
            }
        } + literal
        flushLiteral()

        // After the value: white space, then nothing or a comment.
        var trailing: String?
        var j = i
        while j < bytes.count, isBlank(bytes[j]) { j += 1 }
        if j < bytes.count {
            guard bytes[j] == 0x23, j > i else {
                return .unparsed(reason: LocalizedText(en: "text after the value of \(name) (`\(String(decoding: bytes[j...], as: UTF8.self))`): the shell would run it as a command; quote the whole value", es: "texto tras el valor de \(name) (`\(String(decoding: bytes[j...], as: UTF8.self))`): el shell lo ejecutaría como una orden; ponga todo el valor entre comillas"))
            }
            trailing = String(decoding: bytes[i...], as: UTF8.self)
        }
        let quoting: Quoting
        switch kinds.count {
        case 0: quoting = .none
        case 1: quoting = kinds.first!
        default: quoting = .mixed
        }
        let raw = String(decoding: bytes[valueStart..<valueEnd], as: UTF8.self)
        return .assignment(Assignment(name: name, exported: exported, rawValue: raw, literalValue: literalValue, quoting: quoting,
                                      valueRange: valueStart..<valueEnd, references: references,
                                      trailingComment: trailing, parts: parts))
    }
}

/// The GRUB defaults of a host: `/etc/default/grub` then `/etc/default/grub.d/*.cfg` in name
/// order, as grub-mkconfig sources them (util/grub-mkconfig.in).
public struct GrubConfiguration: Sendable, Equatable {
    public var files: [GrubDefaults]
    /// Files that exist but could not be read (path: reason), in both languages.
    public var unreadable: [LocalizedText]
    /// Every variable after all files ran.
    public var environment: [String: String]

    public static func read(_ machine: Machine) -> GrubConfiguration? {
        var files: [GrubDefaults] = []
        var unreadable: [LocalizedText] = []
        var paths: [String] = []
        if machine.exists(GrubDefaults.path) { paths.append(GrubDefaults.path) }
        if let names = try? machine.list(GrubDefaults.dropInDirectory) {
            paths += names.filter { $0.hasSuffix(".cfg") }.map { GrubDefaults.dropInDirectory + "/" + $0 }
        }
        guard !paths.isEmpty else { return nil }
        for path in paths {
            do { files.append(GrubDefaults(text: try machine.readText(path, limit: 1 << 20), path: path)) } catch {
                unreadable.append(LocalizedText(en: error.description, es: error.spanishDescription))
            }
        }
        var environment: [String: String] = [:]
        for file in files { file.evaluate(into: &environment) }
        return GrubConfiguration(files: files, unreadable: unreadable, environment: environment)
    }

    public init(files: [GrubDefaults], unreadable: [LocalizedText] = [], environment: [String: String]) {
        self.files = files
        self.unreadable = unreadable
        self.environment = environment
    }

    public init(files: [GrubDefaults]) {
        var environment: [String: String] = [:]
        for file in files { file.evaluate(into: &environment) }
        self.init(files: files, environment: environment)
    }

    /// What a normal (non-recovery) menu entry gets: GRUB_CMDLINE_LINUX then
    /// GRUB_CMDLINE_LINUX_DEFAULT (grub.d/10_linux).
    public var kernelCommandLine: KernelCommandLine {
        KernelCommandLine([environment["GRUB_CMDLINE_LINUX"] ?? "", environment["GRUB_CMDLINE_LINUX_DEFAULT"] ?? ""]
            .filter { !$0.isEmpty }.joined(separator: " "))
    }

    /// The file and line that last set a variable.
    public func lastAssignment(_ name: String) -> (file: GrubDefaults, line: GrubDefaults.Line, assignment: GrubDefaults.Assignment)? {
        for file in files.reversed() {
            if let (line, a) = file.lastAssignment(name) { return (file, line, a) }
        }
        return nil
    }

    public var issues: [ConfigProblem] { files.flatMap(\.issues) }
}

extension GrubDefaults.Line {
    /// This line with the value of its assignment replaced by `words` joined by spaces, quoted
    /// as the original was (unquoted values get double quotes once they hold a space). nil
    /// when the line is not an assignment or its quoting cannot be kept safely.
    public func replacingValue(with words: [String]) -> String? {
        guard case .assignment(let a) = kind else { return nil }
        let value = words.joined(separator: " ")
        let quoted: String
        switch a.quoting {
        case .single:
            guard !value.contains("'"), a.references.isEmpty else { return nil }
            quoted = "'" + value + "'"
        case .double, .none:
            if a.quoting == .none, !value.contains(where: { $0 == " " || $0 == "\t" || $0 == "\"" || $0 == "'" }) {
                quoted = value.isEmpty ? "\"\"" : value
            } else {
                guard !value.contains("\""), !value.contains("`"), !value.contains("\\") else { return nil }
                quoted = "\"" + value + "\""
            }
        case .mixed:
            return nil
        }
        let bytes = Array(text.utf8)
        return String(decoding: bytes[..<a.valueRange.lowerBound], as: UTF8.self) + quoted
            + String(decoding: bytes[a.valueRange.upperBound...], as: UTF8.self)
    }
}

extension GrubDefaults {
    static let continuedLine = LocalizedText(
        en: "a backslash at the end of the line continues the value onto the next line (not supported)",
        es: "una barra invertida al final de la línea continúa el valor en la siguiente (no se admite)")
    static let dollarSubstitution = LocalizedText(
        en: "command substitution $(...) cannot be evaluated without running a shell",
        es: "la sustitución de órdenes $(...) no se puede evaluar sin ejecutar un shell")
    static let backtickSubstitution = LocalizedText(
        en: "command substitution (`...`) cannot be evaluated without running a shell",
        es: "la sustitución de órdenes (`...`) no se puede evaluar sin ejecutar un shell")
    public static let reads = HostReads("GrubDefaults", paths: [.file(path), .file(dropInDirectory + "/*.cfg", quiet: false)])
}
