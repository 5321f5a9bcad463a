import HostAccess

/// A place in a configuration file, printed `file:line` as compilers print it. Checks quote it
/// in evidence, and the editors of a later stage use it to change exactly that line.
public struct ConfigLocation: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var file: String
    /// 1-based number of the first physical line.
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { "\(file):\(line)" }
}

/// Something in a configuration file that could not be understood; the rest of the file is
/// still used.
public struct ConfigProblem: Sendable, Equatable, CustomStringConvertible {
    public var location: ConfigLocation
    /// What is wrong, in every language (check evidence follows `--lang`).
    public var text: LocalizedText
    /// The English text.
    public var message: String { text.en }

    public init(location: ConfigLocation, text: LocalizedText) {
        self.location = location
        self.text = text
    }

    /// A file that exists but could not be read: the seam's error, in both languages.
    public init(location: ConfigLocation, error: HostAccessError) {
        self.init(location: location, text: LocalizedText(en: error.description, es: error.spanishDescription))
    }

    public var description: String { "\(location): \(message)" }

    /// `file:line: reason` in `language`.
    public func description(_ language: Language) -> String { "\(location): \(text.text(language))" }

    /// `file:line: reason` in both languages.
    public var localizedDescription: LocalizedText {
        LocalizedText(en: description, es: description(.es))
    }
}

/// One logical line of a configuration file: physical lines joined where one ends in a
/// backslash (kmod's `freadline_wrapped`, udev and systemd do the same).
public struct LogicalLine: Sendable, Equatable {
    public var location: ConfigLocation
    /// Number of the last physical line (equal to `location.line` unless continued).
    public var lastLine: Int
    /// The text with continuations joined, CR of CRLF line ends removed, not trimmed.
    public var text: String

    public init(location: ConfigLocation, lastLine: Int, text: String) {
        self.location = location
        self.lastLine = lastLine
        self.text = text
    }

    /// The text without leading and trailing blanks.
    public var trimmed: String { text.trimmedSpace() }

    /// Blank, or a comment (`#` as the first non-blank character).
    public var isBlankOrComment: Bool {
        let t = trimmed
        return t.isEmpty || t.hasPrefix("#")
    }
}

/// Reading the line-based configuration files of Linux userland in one tolerant way.
public enum ConfigText {
    /// Size limit for one configuration file.
    public static let fileLimit = 1 << 20

    /// Splits `text` into logical lines. CRLF and LF line ends are both accepted; with
    /// `continuation`, a line ending in `\` is joined to the next (the backslash is dropped,
    /// as kmod does). A comment line never continues.
    public static func logicalLines(_ text: String, file: String, continuation: Bool = true) -> [LogicalLine] {
        // Splitting on Characters would keep "\r\n" whole (one grapheme); split on both.
        let physical = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        var result: [LogicalLine] = []
        var pending: (start: Int, text: String)?
        for (index, raw) in physical.enumerated() {
            var line = String(raw)
            while line.hasSuffix("\r") { line.removeLast() }
            let number = index + 1
            if index == physical.count - 1, line.isEmpty, pending == nil { break }  // final newline
            let isComment = pending == nil && line.trimmedSpace().hasPrefix("#")
            if continuation, !isComment, line.hasSuffix("\\") {
                line.removeLast()
                if pending == nil { pending = (number, line) } else { pending!.text += line }
                continue
            }
            if let open = pending {
                result.append(LogicalLine(location: ConfigLocation(file: file, line: open.start), lastLine: number, text: open.text + line))
                pending = nil
            } else {
                result.append(LogicalLine(location: ConfigLocation(file: file, line: number), lastLine: number, text: line))
            }
        }
        if let open = pending {
            // A backslash on the last line continues nothing; keep what is there.
            result.append(LogicalLine(location: ConfigLocation(file: file, line: open.start), lastLine: physical.count, text: open.text))
        }
        return result
    }

    /// The configuration files of a `*.d` search path as kmod, udev and systemd read them:
    /// files named `*suffix` from every directory, a name in an earlier directory hiding the
    /// same name in later ones (`/etc` overrides `/usr/lib`), all sorted by file name.
    /// `shadowed` lists the hidden copies.
    public static func configFiles(_ machine: Machine, directories: [String], suffix: String) -> (files: [String], shadowed: [String]) {
        var chosen: [String: String] = [:]
        var shadowed: [String] = []
        for directory in directories {
            guard let names = try? machine.list(directory) else { continue }
            for name in names where name.hasSuffix(suffix) && !name.hasPrefix(".") {
                let path = directory + "/" + name
                guard machine.kind(path) == .regular else { continue }
                if chosen[name] == nil { chosen[name] = path } else if chosen[name] != path { shadowed.append(path) }
            }
        }
        return (chosen.keys.sorted().map { chosen[$0]! }, shadowed)
    }

    /// Splits on blanks, keeping double-quoted parts together and dropping the quotes (the
    /// way the kernel's `next_arg` reads module parameters).
    public static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        var inQuotes = false
        var hasWord = false
        for c in text {
            if c == "\"" { inQuotes.toggle(); hasWord = true; continue }
            if !inQuotes, c == " " || c == "\t" {
                if hasWord { words.append(current); current = ""; hasWord = false }
                continue
            }
            current.append(c)
            hasWord = true
        }
        if hasWord { words.append(current) }
        return words
    }
}
