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
