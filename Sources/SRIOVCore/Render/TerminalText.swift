/// Text from a host or a snapshot made safe for a terminal: host names, the kernel command
/// line, DMI strings, dmesg lines and file contents in evidence may hold ESC sequences (set the
/// window title, clear the screen, fake a PASS), other C0/C1 control characters, DEL, or
/// Unicode bidi overrides that reorder what is shown. Each such character is written as a
/// visible escape (`\x1b`, `\x7f`, `\u{202e}`); a backslash stays as it is. Everything else,
/// accented letters included, is kept. JSON and XML have their own escaping; this is for the
/// text renderers only. `asciiOnly` also escapes every non-ASCII character (names in error
/// messages, where a look-alike letter matters).
public enum TerminalText {
    public static func visible(_ text: String, keepTabs: Bool = true, asciiOnly: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: { needsEscape($0, keepTabs: keepTabs, asciiOnly: asciiOnly) }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar, keepTabs: keepTabs, asciiOnly: asciiOnly) else { out.unicodeScalars.append(scalar); continue }
            let hex = String(scalar.value, radix: 16)
            out += scalar.value < 0x100 ? "\\x" + (hex.count < 2 ? "0" : "") + hex : "\\u{" + hex + "}"
        }
        return out
    }

    static func needsEscape(_ s: Unicode.Scalar, keepTabs: Bool, asciiOnly: Bool) -> Bool {
        switch s.value {
        case 0x09: return !keepTabs
        case 0..<0x20, 0x7f, 0x80...0x9f: return true
        // Bidi embeddings, overrides and isolates, the marks (LRM, RLM, ALM) and the BOM.
        case 0x202a...0x202e, 0x2066...0x2069, 0x200e, 0x200f, 0x061c, 0xfeff: return true
        // Line and paragraph separators break a line as much as LF does.
        case 0x2028, 0x2029: return true
        default: return asciiOnly && !s.isASCII
        }
    }
}
