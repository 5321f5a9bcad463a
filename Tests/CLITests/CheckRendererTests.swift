import XCTest
@testable import sriov_wizard

final class CheckRendererTests: XCTestCase {
    func testWrapKeepsCommandsWholeAndIndents() {
        var renderer = CheckRenderer(console: Console(forceColour: false), language: .en)
        renderer.width = 40
        let text = "Run `echo 7 > /sys/bus/pci/devices/0000:01:00.0/sriov_numvfs` and then reboot the host now"
        let wrapped = renderer.wrap(text, first: 6, rest: "    ")
        let lines = wrapped.split(separator: "\n")
        XCTAssertEqual(lines.first, "Run")
        XCTAssertEqual(lines[1], "    `echo 7 > /sys/bus/pci/devices/0000:01:00.0/sriov_numvfs`")
        XCTAssertTrue(lines.dropFirst().allSatisfy { $0.hasPrefix("    ") })
        XCTAssertTrue(lines.allSatisfy { $0.count <= 40 || $0.contains("`") })
        XCTAssertEqual(wrapped.replacingOccurrences(of: "\n    ", with: " "), text)
    }
}
