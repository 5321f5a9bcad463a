import Foundation
import XCTest

/// Text output never passes a host's control characters to the terminal: a snapshot whose
/// host name sets the window title, whose cmdline clears the screen or whose DMI string
/// reverses the text shows them as `\x1b`, `\u{202e}`.
final class TerminalEscapingTests: XCTestCase {
    private var root = ""

    override func setUpWithError() throws {
        root = CLI.temporaryDirectory() + "/host"
        try FileManager.default.createDirectory(atPath: (root as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: CLI.resource("sample-host"), toPath: root)
        for file in ["/etc/hostname", "/proc/sys/kernel/hostname"] { try "pve\u{1B}]0;owned\u{07}1\n".write(toFile: root + file, atomically: false, encoding: .utf8) }
        try "BOOT_IMAGE=/vmlinuz \u{1B}[2J\u{1B}[HPASS intel_iommu=on\n".write(toFile: root + "/proc/cmdline", atomically: false, encoding: .utf8)
        try "Evil\u{202E}gnp.exe\u{9B}31m\n".write(toFile: root + "/sys/class/dmi/id/product_name", atomically: false, encoding: .utf8)
        try Data("abc\u{1B}[5m\n".utf8).write(to: URL(fileURLWithPath: root + "/sys/bus/pci/devices/0000:01:00.0/sriov_totalvfs"))
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent) }

    private func assertNoRawControls(_ text: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let raw = text.unicodeScalars.filter { ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || (0x7f...0x9f).contains($0.value) || $0.value == 0x202e }
        XCTAssertTrue(raw.isEmpty, "\(what): raw \(raw.map { String($0.value, radix: 16) }) in\n\(text)", file: file, line: line)
    }

    func testCheckDetailsEscapesHostNameCmdlineAndEvidence() throws {
        let result = try CLI.run(["check", "--root", root, "--details", "--width", "1000"], environment: ["NO_COLOR": "1"])
        assertNoRawControls(result.stdoutText, "check --details")
        assertNoRawControls(result.stderrText, "check stderr")
        XCTAssertTrue(result.stdoutText.contains("host pve\\x1b]0;owned\\x071"), result.stdoutText)
        XCTAssertTrue(result.stdoutText.contains("\\x1b[2J\\x1b[HPASS"), "the cmdline in evidence is visible, not executed")
        XCTAssertTrue(result.stdoutText.contains("sriov_totalvfs: invalid value \"abc\\x1b[5m\\n\""), result.stdoutText)
    }

    func testDevicesEscapesIssueMessages() throws {
        let result = try CLI.run(["devices", "--root", root], environment: ["NO_COLOR": "1"])
        assertNoRawControls(result.stdoutText + result.stderrText, "devices")
        XCTAssertTrue((result.stdoutText + result.stderrText).contains("invalid value \"abc\\x1b[5m\\n\""), result.stdoutText + result.stderrText)
    }

    /// XML 1.0 allows DEL, C1 controls and bidi overrides in a host name of a report; collect's
    /// table shows them escaped.
    func testCollectEscapesHostNamesFromReports() throws {
        let dir = CLI.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let made = try CLI.run(["report", "--root", root, "--xml", dir + "/a.xml", "--time", "none"])
        XCTAssertEqual(made.status, 0, made.stderrText)
        var xml = try String(contentsOfFile: dir + "/a.xml", encoding: .utf8)
        xml = xml.replacingOccurrences(of: "<hostname>pve\\x1b]0;owned\\x071</hostname>", with: "<hostname>pve\u{9B}2J\u{7F}\u{202E}x</hostname>")
        XCTAssertTrue(xml.contains("\u{9B}"), "the host name was replaced")
        try xml.write(toFile: dir + "/a.xml", atomically: true, encoding: .utf8)
        let result = try CLI.run(["collect", dir + "/a.xml"])
        XCTAssertEqual(result.status, 0, result.stderrText)
        assertNoRawControls(result.stdoutText, "collect")
        XCTAssertTrue(result.stdoutText.contains("pve\\x9b2J\\x7f\\u{202e}x"), result.stdoutText)
    }
}
