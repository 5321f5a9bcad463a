/// One input line after paste clean-up: CR, NBSP, terminal escapes and trailing junk removed,
/// indentation measured in columns.
struct LspciLine {
    /// 1-based line number in the input.
    var number: Int
    /// Leading whitespace in columns; a tab advances to the next multiple of 8, as a terminal
    /// shows it, so `\t`, 8 spaces and ` \t` (mail space-stuffing) all measure 8.
    var indent: Int
    /// The content without indentation and trailing blanks.
    var text: Substring

    var isBlank: Bool { text.isEmpty }

    /// One tab stop: lspci indents every detail line by at least this much, and never indents
    /// device lines or hex dump lines.
    static let tabStop = 8
    /// A run of this many spaces inside a line is terminal padding; what follows it (a tmux
    /// status like `[8/5710]`) is not lspci output.
    static let paddingRun = 20
}

enum LspciLines {
    /// Splits on LF only: Swift treats CR LF as one Character, so splitting Characters on "\n"
    /// would keep CRLF files in one piece. A paste quoted as a mail reply (every line starting
    /// with `>`) loses one level of quoting.
    static func split(_ text: String) -> [LspciLine] {
        var raw: [Substring] = []
        let utf8 = text.utf8
        var start = utf8.startIndex
        var index = start
        while index < utf8.endIndex {
            if utf8[index] == 0x0a {
                raw.append(text[start..<index])
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        if start < utf8.endIndex { raw.append(text[start..<utf8.endIndex]) }
        let quoted = isMailQuote(raw)
        return raw.enumerated().map { make(quoted ? unquote($0.element) : $0.element, number: $0.offset + 1) }
    }

    static func isMailQuote(_ lines: [Substring]) -> Bool {
        var sawQuote = false
        for line in lines {
            let trimmed = trimTrailing(line)
            if trimmed.isEmpty || trimmed.utf8.allSatisfy({ $0 == 0x0d }) { continue }
            guard trimmed.utf8.first == UInt8(ascii: ">") else { return false }
            sawQuote = true
        }
        return sawQuote
    }

    static func unquote(_ line: Substring) -> Substring {
        guard line.utf8.first == UInt8(ascii: ">") else { return line }
        let rest = line.dropFirst()
        return rest.utf8.first == 0x20 ? rest.dropFirst() : rest
    }

    static func make(_ raw: Substring, number: Int) -> LspciLine {
        let cleaned = needsScrubbing(raw) ? Substring(scrub(raw)) : raw
        var column = 0
        var index = cleaned.utf8.startIndex
        while index < cleaned.utf8.endIndex {
            let byte = cleaned.utf8[index]
            if byte == 0x20 { column += 1 } else if byte == 0x09 { column = (column / LspciLine.tabStop + 1) * LspciLine.tabStop } else { break }
            index = cleaned.utf8.index(after: index)
        }
        let content = cutPadding(trimTrailing(cleaned[index...]))
        return LspciLine(number: number, indent: column, text: content)
    }

    static func needsScrubbing(_ raw: Substring) -> Bool {
        raw.utf8.contains { $0 < 0x20 && $0 != 0x09 || $0 == 0x7f || $0 == 0xc2 || $0 == 0xef }
    }

    /// Drops CR, other control characters and ANSI escape sequences; NBSP becomes a space.
    static func scrub(_ raw: Substring) -> String {
        var out = String.UnicodeScalarView()
        var scalars = raw.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            switch scalar.value {
            case 0x1b:
                skipEscape(&scalars)
            case 0xa0:
                out.append(" ")
            case 0x09:
                out.append(scalar)
            case 0..<0x20, 0x7f, 0xfeff:
                continue
            default:
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Skips the rest of a CSI (`ESC [ ... final`), OSC (`ESC ] ... BEL`) or two-byte escape.
    static func skipEscape(_ scalars: inout Substring.UnicodeScalarView.Iterator) {
        guard let kind = scalars.next() else { return }
        if kind == "[" {
            while let s = scalars.next(), !(0x40...0x7e).contains(s.value) {}
        } else if kind == "]" {
            while let s = scalars.next(), s.value != 0x07, s.value != 0x1b {}
        }
    }

    static func trimTrailing(_ s: Substring) -> Substring {
        let bytes = s.utf8
        var end = bytes.endIndex
        while end > bytes.startIndex {
            let before = bytes.index(before: end)
            guard bytes[before] == 0x20 || bytes[before] == 0x09 else { break }
            end = before
        }
        return s[s.startIndex..<end]
    }

    static func cutPadding(_ s: Substring) -> Substring {
        let bytes = s.utf8
        var run = 0
        var runStart = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == 0x20 {
                if run == 0 { runStart = index }
                run += 1
                if run >= LspciLine.paddingRun { return trimTrailing(s[s.startIndex..<runStart]) }
            } else {
                run = 0
            }
            index = bytes.index(after: index)
        }
        return s
    }
}
