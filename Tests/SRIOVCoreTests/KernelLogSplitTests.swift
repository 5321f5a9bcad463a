import XCTest
@testable import SRIOVCore

/// `KernelLog(text:)` splits at LF bytes and searches lines as bytes (issue 15, the sample
/// host's `check` spent 43% in Character-wise splitting and NSString searches). These tests
/// hold it to the lines the Character-wise split gave, on random texts full of CR, LF, CR LF,
/// brackets, blanks and combining marks.
final class KernelLogSplitTests: XCTestCase {
    /// The previous implementation, kept as the reference.
    static func referenceLines(_ text: String) -> (lines: [String], boot: Bool) {
        var lines: [String] = []
        var boot = false
        for raw in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            var line = Substring(raw)
            if line.hasSuffix("\r") { line = line.dropLast() }
            if line.first == "[", let close = line.firstIndex(of: "]") {
                var stamp = line[line.index(after: line.startIndex)..<close]
                while let f = stamp.first, f == " " || f == "\t" { stamp.removeFirst() }
                if stamp.hasPrefix("0.") { boot = true }
                line = line[line.index(after: close)...]
                while let f = line.first, f == " " || f == "\t" { line.removeFirst() }
            }
            if line.hasPrefix("Linux version ") || line.hasPrefix("Command line:") { boot = true }
            lines.append(String(line))
        }
        return (lines, boot)
    }

    func testLinesMatchTheCharacterWiseSplit() {
        let pieces = ["\n", "\r", "\r\n", "\n\r", "[", "]", " ", "\t", "0.", "1.5", "x", "é", "e\u{301}", "\u{301}",
                      "Linux version ", "Command line:", "DMAR-IR: Enabled IRQ remapping in xapic mode", "\r\r"]
        var random = DeterministicRandom(seed: 15)
        for round in 0..<3000 {
            var text = ""
            for _ in 0..<random.below(24) { text += pieces[random.below(pieces.count)] }
            let log = KernelLog(text: text)
            let reference = Self.referenceLines(text)
            XCTAssertEqual(log.lines, reference.lines, "round \(round): \(text.debugDescription)")
            XCTAssertEqual(log.hasBootMessages, reference.boot, "round \(round): \(text.debugDescription)")
        }
    }

    func testCRLFAndLoneCRAreHandledAsBefore() {
        let log = KernelLog(text: "[    0.000000] Linux version 6.8\r\n\r\nabc\r\r\nlast\r")
        XCTAssertEqual(log.lines, ["Linux version 6.8", "abc", "last"])
        XCTAssertTrue(log.hasBootMessages)
        XCTAssertEqual(KernelLog(text: "a\r\r\r\nb").lines, ["a\r", "b"])
    }

    func testByteSearchAgreesWithStringSearchForASCIIPhrases() {
        let phrases = ["Enabled IRQ remapping in", "BAR 7:", "0000:01:00.0", "a", "", "é", "remapping enabled"]
        let lines = ["", "a", "DMAR-IR: Enabled IRQ remapping in x2apic mode", "Enabled IRQ remapping i", "pci 0000:01:00.0: BAR 7: no space",
                     "ééé remapping enabled", "AMD-Vi: Interrupt remapping enabled", "xx0000:01:00.0"]
        for line in lines {
            for phrase in phrases {
                let expected = phrase.isEmpty || line.utf8.count >= phrase.utf8.count
                    && (0...(line.utf8.count - phrase.utf8.count)).contains { i in
                        Array(line.utf8.dropFirst(i).prefix(phrase.utf8.count)) == Array(phrase.utf8) }
                XCTAssertEqual(line.containsBytes(phrase), expected, "\(line.debugDescription) / \(phrase.debugDescription)")
            }
        }
        XCTAssertEqual(KernelLog(text: "x AMD-Vi: Interrupt remapping enabled\ny\n").lines(containing: InterruptRemappingCheck.enabledPhrases),
                       ["x AMD-Vi: Interrupt remapping enabled"])
    }
}

/// `PCIIDs.newline` reads eight bytes at a time; it must find the same LF a byte scan finds,
/// at every alignment and next to bytes that look like LF after the XOR (0x0b, 0x8a, 0x00).
final class PCIIDsNewlineTests: XCTestCase {
    func testWordScanFindsTheFirstLineFeed() {
        var random = DeterministicRandom(seed: 0x15)
        let alphabet: [UInt8] = [0x0a, 0x0b, 0x09, 0x8a, 0x00, 0xff, 0x30, 0x20, 0x0a ^ 0x80]
        for _ in 0..<4000 {
            let bytes = (0..<random.below(40)).map { _ in random.below(4) == 0 ? alphabet[random.below(alphabet.count)] : UInt8(0x61) }
            bytes.withUnsafeBufferPointer { buf in
                for start in 0...bytes.count {
                    var expected = start
                    while expected < bytes.count && bytes[expected] != 0x0a { expected += 1 }
                    XCTAssertEqual(PCIIDs.newline(buf, from: start), expected, "\(bytes) from \(start)")
                }
            }
        }
    }

    func testNamesFromASmallDatabase() {
        let db = PCIIDs(bytes: Array("# comment\n8086  Intel Corporation\n\t10fb  82599ES 10-Gigabit SFI/SFP+ Network Connection\n\t\t8086 0003  Ethernet Server Adapter X520-2\n\t10ed  82599 Ethernet Controller Virtual Function\nC 02  Network controller\n\t00  Ethernet controller".utf8))
        var functions = [PCIFunction(address: PCIAddress("0000:01:00.0")!)]
        functions[0].vendorID = 0x8086
        functions[0].deviceID = 0x10ed
        functions[0].classCode = 0x020000
        db.resolveNames(&functions)
        XCTAssertEqual(functions[0].vendorName, "Intel Corporation")
        XCTAssertEqual(functions[0].deviceName, "82599 Ethernet Controller Virtual Function")
        XCTAssertEqual(functions[0].className, "Ethernet controller")
    }
}
