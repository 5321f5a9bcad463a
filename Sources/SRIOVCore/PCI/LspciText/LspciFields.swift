/// Small readers for the value syntax lspci prints: hex and decimal numbers, `Name+`/`Name-`
/// flags and `Key: value, Key: value` lists. Every reader returns nil rather than guessing.
enum LspciFields {
    static func isHexDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
    }

    /// Only hex digits (no sign, no 0x), at most `maxDigits` of them.
    static func hex<T: FixedWidthInteger & UnsignedInteger>(_ text: Substring, maxDigits: Int = 16, as type: T.Type = T.self) -> T? {
        guard !text.isEmpty, text.utf8.count <= maxDigits, text.utf8.allSatisfy(isHexDigit) else { return nil }
        return T(text, radix: 16)
    }

    /// Only decimal digits (no sign).
    static func decimal<T: FixedWidthInteger & UnsignedInteger>(_ text: Substring, as type: T.Type = T.self) -> T? {
        guard !text.isEmpty, text.utf8.count <= 20, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return T(text, radix: 10)
    }

    /// Words separated by blanks and commas.
    static func tokens(_ text: Substring) -> [Substring] {
        text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," })
    }

    /// `Enable+` -> true, `Enable-` -> false, absent -> nil.
    static func flag(_ name: String, in text: Substring) -> Bool? {
        for token in tokens(text) where token.hasASCIIPrefix(name) && token.utf8.count == name.utf8.count + 1 {
            if token.hasSuffix("+") { return true }
            if token.hasSuffix("-") { return false }
        }
        return nil
    }

    /// `Initial VFs: 64, Total VFs: 64` -> [("Initial VFs", "64"), ("Total VFs", "64")].
    static func pairs(_ text: Substring) -> [(key: Substring, value: Substring)] {
        text.split(separator: ",").compactMap { segment in
            guard let colon = segment.firstIndex(of: ":") else { return nil }
            return (trim(segment[segment.startIndex..<colon]), trim(segment[segment.index(after: colon)...]))
        }
    }

    static func trim(_ text: Substring) -> Substring {
        var s = text
        while let first = s.first, first == " " || first == "\t" { s = s.dropFirst() }
        while let last = s.last, last == " " || last == "\t" { s = s.dropLast() }
        return s
    }

    /// The text after `key` (which ends in ':'), trimmed; nil when the line has another key.
    static func value(after key: String, in text: Substring) -> Substring? {
        guard text.hasASCIIPrefix(key) else { return nil }
        return trim(text.dropFirst(key.count))
    }

    /// Whether a line has the shape of an lspci detail line, `Some Key: ...`: a letter, then up
    /// to 47 name characters, then a colon at the end or before a blank.
    static func isKeyShaped(_ text: Substring) -> Bool {
        let bytes = Array(text.utf8.prefix(50))
        guard let first = bytes.first, isLetter(first) else { return false }
        for (i, byte) in bytes.enumerated().dropFirst() {
            if byte == UInt8(ascii: ":") {
                return i + 1 == bytes.count && bytes.count == text.utf8.count
                    || (i + 1 < bytes.count && (bytes[i + 1] == 0x20 || bytes[i + 1] == 0x09))
            }
            guard isLetter(byte) || (0x30...0x39).contains(byte) || " _/#().&+-".utf8.contains(byte) else { return false }
        }
        return false
    }

    /// `TrErr- Train- SlotClk+ DLActive+ BWMgmt+ ABWMgmt-`: the rest of a register line, as
    /// lspci prints it on a line of its own (`LnkSta:` above it), every word a flag.
    static func isFlagList(_ text: Substring) -> Bool {
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        guard !words.isEmpty, words.count <= 32 else { return false }
        return words.allSatisfy { word in
            let flag = word.hasSuffix(",") ? word.dropLast() : word[...]
            guard let first = flag.utf8.first, let last = flag.utf8.last, flag.utf8.count >= 2,
                  isLetter(first) || (0x30...0x39).contains(first) else { return false }
            return last == UInt8(ascii: "+") || last == UInt8(ascii: "-")
        }
    }

    static func isLetter(_ byte: UInt8) -> Bool { (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte) }
}

extension Substring {
    /// The last occurrence of an ASCII `needle` (no Foundation in this module).
    func lastRange(of needle: String) -> Range<Index>? {
        let pattern = Array(needle.utf8)
        let bytes = utf8
        guard !pattern.isEmpty, bytes.count >= pattern.count else { return nil }
        var start = bytes.index(bytes.endIndex, offsetBy: -pattern.count)
        while true {
            if bytes[start...].starts(with: pattern) {
                return start..<bytes.index(start, offsetBy: pattern.count)
            }
            if start == bytes.startIndex { return nil }
            start = bytes.index(before: start)
        }
    }
}

extension Substring {
    /// `hasPrefix` on UTF-8 bytes: the keys compared are ASCII, and comparing bytes avoids
    /// grapheme breaking on every detail line.
    func hasASCIIPrefix(_ prefix: String) -> Bool { utf8.starts(with: prefix.utf8) }
}
