/// The configuration-space bytes of one function from `lspci -x` (64 bytes), `-xxx` (256) or
/// `-xxxx` (4096): lines `00: 86 80 c9 10 ...`, offsets in 2 hex digits below 0x100 and 3 from
/// 0x100 on (`lspci.c` `show_hex_dump`).
struct LspciHexDump {
    private(set) var bytes: [UInt8] = []
    /// Set when a line did not continue the dump; later lines of this function are ignored.
    private(set) var stopped = false

    /// One parsed dump line.
    struct Line {
        var offset: Int
        var bytes: [UInt8]
    }

    /// `0a0: 11 b0 1f 00 ...`: 2 or 3 hex digits, a colon, then 1 to 16 two-digit bytes, each
    /// after one or more blanks. Scans the UTF-8 bytes once: dumps are most of a `-xxxx` file.
    static func parse(_ text: Substring) -> Line? {
        let utf8 = text.utf8
        var index = utf8.startIndex
        var offset = 0
        var digits = 0
        while digits < 4, index < utf8.endIndex, let digit = hexValue(utf8[index]) {
            offset = offset << 4 | digit
            digits += 1
            index = utf8.index(after: index)
        }
        guard (2...3).contains(digits), offset % 16 == 0, index < utf8.endIndex, utf8[index] == UInt8(ascii: ":") else { return nil }
        index = utf8.index(after: index)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        while index < utf8.endIndex {
            guard utf8[index] == 0x20 else { return nil }
            while index < utf8.endIndex, utf8[index] == 0x20 { index = utf8.index(after: index) }
            if index == utf8.endIndex { break }
            let second = utf8.index(after: index)
            guard second < utf8.endIndex, let high = hexValue(utf8[index]), let low = hexValue(utf8[second]), bytes.count < 16 else { return nil }
            bytes.append(UInt8(high << 4 | low))
            index = utf8.index(after: second)
        }
        return bytes.isEmpty ? nil : Line(offset: offset, bytes: bytes)
    }

    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: return Int(byte - 0x30)
        case 0x41...0x46: return Int(byte - 0x41 + 10)
        case 0x61...0x66: return Int(byte - 0x61 + 10)
        default: return nil
        }
    }

    /// Adds a line; returns a note when the line does not continue the dump (then the dump
    /// keeps what it had: a read past it gives nil, never a made-up byte).
    mutating func append(_ line: Line, lineNumber: Int) -> String? {
        guard !stopped else { return nil }
        guard line.offset == bytes.count else {
            stopped = true
            if line.offset == 0 { return "a second hex dump for the same function; the first one is used" }
            return "hex dump line at offset \(hex(line.offset, 3)) does not follow offset \(hex(max(bytes.count - 1, 0), 3)); the dump is cut there"
        }
        let room = PCIRegister.extendedSize - bytes.count
        bytes.append(contentsOf: line.bytes.prefix(room))
        if line.bytes.count > room { stopped = true }
        return nil
    }
}
