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
    /// The line ended in a blank before trimming: a `format=flowed` mail breaks long lines
    /// after a space (RFC 3676 4.2), so the next line may continue this one.
    var endsWithBlank = false
    /// A blank line came before this one (lspci ends every device block with one).
    var afterBlank = false
    /// Columns the line takes with its indentation, to tell a line a mail client wrapped.
    var width: Int { indent + text.utf8.count }

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
    /// would keep CRLF files in one piece. Mail quoting (`> `, `>`, `> > `, `>>`) is removed
    /// from every line that has it: lspci never starts a line with `>`, and a reply often
    /// quotes the paste at one depth and the prose around it at another.
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
        return raw.enumerated().map { make(unquote($0.element), number: $0.offset + 1) }
    }

    /// Every level of mail quoting: each `>` with at most one space after it.
    static func unquote(_ line: Substring) -> Substring {
        var rest = line
        while rest.utf8.first == UInt8(ascii: ">") {
            rest = rest.dropFirst()
            if rest.utf8.first == 0x20 { rest = rest.dropFirst() }
        }
        return rest
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
        let body = cleaned[index...]
        let content = cutPadding(trimTrailing(body))
        let blankEnd = body.utf8.last.map { $0 == 0x20 || $0 == 0x09 } ?? false
        return LspciLine(number: number, indent: column, text: content, endsWithBlank: blankEnd)
    }

    static func needsScrubbing(_ raw: Substring) -> Bool {
        raw.utf8.contains { $0 < 0x20 && $0 != 0x09 || $0 == 0x7f || $0 == 0xc2 || $0 == 0xe2 || $0 == 0xe3 || $0 == 0xef }
    }

    /// Drops CR, other control characters, zero-width characters and ANSI escape sequences;
    /// NBSP and the other Unicode spaces web pages and mail clients put in indentation become
    /// a space.
    static func scrub(_ raw: Substring) -> String {
        var out = String.UnicodeScalarView()
        var scalars = raw.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            switch scalar.value {
            case 0x1b:
                skipEscape(&scalars)
            case 0xa0, 0x2000...0x200a, 0x202f, 0x205f, 0x3000:
                out.append(" ")
            case 0x200b...0x200d, 0x2060:
                continue
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
