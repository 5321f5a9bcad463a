import HostAccess

/// A kernel command line (`/proc/cmdline`, `/etc/kernel/cmdline`, or the GRUB variables),
/// split the way the kernel splits it: `next_arg()` in lib/cmdline.c. Words are separated by
/// unquoted white space; a double quote toggles quoting anywhere in a word, the quotes around
/// a whole word or around a value are dropped (`"a b"`, `key="a b"`); `--` ends the kernel's
/// parameters (the rest goes to init). Parameter names compare with `-` and `_` equal
/// (`parameq()` in kernel/params.c).
public struct KernelCommandLine: Sendable, Equatable, CustomStringConvertible {
    public struct Parameter: Sendable, Equatable, CustomStringConvertible {
        public var key: String
        /// nil for a bare flag (`quiet`); "" for `key=`.
        public var value: String?
        /// The word as written, quotes included (for evidence and for editing).
        public var text: String

        public var description: String { text }
    }

    public var parameters: [Parameter]
    /// Words after `--`, for init.
    public var initArguments: [String]

    public init(_ text: String) {
        let words = KernelCommandLine.words(text)
        var parameters: [Parameter] = []
        var initArguments: [String] = []
        var afterDashes = false
        for word in words {
            if afterDashes { initArguments.append(word.raw); continue }
            if word.key == "--" && word.value == nil && !word.quoted { afterDashes = true; continue }
            parameters.append(Parameter(key: word.key, value: word.value, text: word.raw))
        }
        self.parameters = parameters
        self.initArguments = initArguments
    }

    public var description: String {
        (parameters.map(\.text) + (initArguments.isEmpty ? [] : ["--"] + initArguments)).joined(separator: " ")
    }

    public var isEmpty: Bool { parameters.isEmpty && initArguments.isEmpty }

    /// `-` and `_` are the same character in parameter names.
    static func normalised(_ key: String) -> String {
        String(key.unicodeScalars.map { $0 == "-" ? "_" : Character($0) })
    }

    /// Every occurrence of a parameter, in order.
    public func all(_ key: String) -> [Parameter] {
        let k = KernelCommandLine.normalised(key)
        return parameters.filter { KernelCommandLine.normalised($0.key) == k }
    }

    /// The last occurrence (the kernel applies them in order, so the last one wins).
    public func last(_ key: String) -> Parameter? { all(key).last }

    /// The value of the last occurrence; nil when absent or a bare flag.
    public func value(_ key: String) -> String? { last(key)?.value }

    public func contains(_ key: String) -> Bool { !all(key).isEmpty }

    /// For parameters whose value is a comma-separated option list parsed left to right
    /// (`intel_iommu=on,igfx_off`, `iommu=pt`, `amd_iommu=off`): the last option among
    /// `options` over all occurrences, with the word that carried it.
    public func lastOption(_ key: String, among options: Set<String>) -> (option: String, parameter: Parameter)? {
        var found: (String, Parameter)?
        for p in all(key) {
            guard let value = p.value else { continue }
            for part in value.split(separator: ",") {
                let option = String(part).trimmedSpace().lowercased()
                if options.contains(option) { found = (option, p) }
            }
        }
        return found
    }

    // MARK: - splitting

    struct Word {
        var raw: String
        var key: String
        var value: String?
        var quoted: Bool
    }

    static func isSpace(_ u: Unicode.Scalar) -> Bool {
        // isspace() in the kernel's ctype: space, \t \n \v \f \r (a CRLF file ends cleanly).
        u == " " || u == "\t" || u == "\n" || u == "\u{0B}" || u == "\u{0C}" || u == "\r"
    }

    /// Mirrors next_arg(): the word ends at white space outside quotes; `=` splits at its first
    /// occurrence; a leading quote of the word and of the value are removed with the matching
    /// final quote. An unterminated quote runs to the end of the line, as in the kernel.
    static func words(_ text: String) -> [Word] {
        let scalars = Array(text.unicodeScalars)
        var words: [Word] = []
        var i = 0
        while i < scalars.count {
            while i < scalars.count, isSpace(scalars[i]) { i += 1 }
            guard i < scalars.count else { break }
            var start = i
            var inQuote = false
            var quoted = false
            if scalars[i] == "\"" { start += 1; i += 1; inQuote = true; quoted = true }
            var equals: Int?
            while i < scalars.count {
                let u = scalars[i]
                if isSpace(u) && !inQuote { break }
                if equals == nil, u == "=" { equals = i }
                if u == "\"" { inQuote.toggle() }
                i += 1
            }
            let end = i
            let rawStart = quoted ? start - 1 : start
            let raw = String(String.UnicodeScalarView(scalars[rawStart..<end]))
            var key: String
            var value: String?
            if let equals {
                key = String(String.UnicodeScalarView(scalars[start..<equals]))
                var vStart = equals + 1
                var vEnd = end
                if vStart < end, scalars[vStart] == "\"" {
                    vStart += 1
                    if vEnd > vStart, scalars[vEnd - 1] == "\"" { vEnd -= 1 }
                } else if quoted, vEnd > vStart, scalars[vEnd - 1] == "\"" {
                    vEnd -= 1
                }
                value = vStart <= vEnd ? String(String.UnicodeScalarView(scalars[vStart..<vEnd])) : ""
            } else {
                var kEnd = end
                if quoted, kEnd > start, scalars[kEnd - 1] == "\"" { kEnd -= 1 }
                key = String(String.UnicodeScalarView(scalars[start..<kEnd]))
            }
            words.append(Word(raw: raw, key: key, value: value, quoted: quoted))
        }
        return words
    }

    // MARK: - reading

    public static let procPath = "/proc/cmdline"

    /// The running kernel's command line; nil when /proc/cmdline cannot be read.
    public static func running(_ machine: Machine) -> (line: KernelCommandLine, text: String)? {
        guard let text = try? machine.readText(procPath, limit: 64 * 1024) else { return nil }
        let trimmed = text.trimmedSpace()
        return (KernelCommandLine(trimmed), trimmed)
    }
}

/// What a command line asks of the IOMMU, in the kernel's terms
/// (Documentation/admin-guide/kernel-parameters.txt: intel_iommu=, amd_iommu=, iommu=).
public struct IOMMUParameters: Sendable, Equatable {
    /// `intel_iommu=on` / `off` (last one wins), with the word that set it.
    public var intel: (String, KernelCommandLine.Parameter)? { line.lastOption("intel_iommu", among: ["on", "off"]) }
    /// `amd_iommu=off` (there is no `on`: AMD IOMMUs are on by default; `on` is ignored).
    public var amdOff: KernelCommandLine.Parameter? { line.lastOption("amd_iommu", among: ["off"])?.parameter }
    /// `iommu=pt` / `nopt` / `off` and friends, last one wins.
    public var generic: (String, KernelCommandLine.Parameter)? {
        line.lastOption("iommu", among: ["pt", "nopt", "off", "force", "noforce", "on"])
    }
    public var passthrough: Bool { generic?.0 == "pt" }
    public var intelOn: Bool { intel?.0 == "on" }
    public var intelOff: Bool { intel?.0 == "off" }
    public var genericOff: Bool { generic?.0 == "off" }

    /// The words that switch the IOMMU off, as written.
    public var disablingWords: [String] {
        var words: [String] = []
        if intelOff, let p = intel?.1 { words.append(p.text) }
        if let p = amdOff { words.append(p.text) }
        if genericOff, let p = generic?.1 { words.append(p.text) }
        return words
    }

    /// The IOMMU-related words in order (for evidence and for comparing two command lines).
    public var relevantWords: [String] {
        line.parameters.filter { ["intel_iommu", "amd_iommu", "iommu"].contains(KernelCommandLine.normalised($0.key)) }.map(\.text)
    }

    /// The resolved settings, to compare two command lines by meaning rather than by text.
    public var state: State { State(intel: intel?.0, amdOff: amdOff != nil, generic: generic?.0) }

    public struct State: Sendable, Equatable {
        public var intel: String?
        public var amdOff: Bool
        public var generic: String?
    }

    public let line: KernelCommandLine

    public init(_ line: KernelCommandLine) { self.line = line }

    public static func == (a: IOMMUParameters, b: IOMMUParameters) -> Bool { a.line == b.line }
}

extension KernelCommandLine {
    public static let reads = HostReads("KernelCommandLine", paths: [.file(procPath, limit: 8 << 20, quiet: false)])
}
