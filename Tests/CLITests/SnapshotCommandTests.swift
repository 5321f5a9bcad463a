import Foundation
import HostAccess
import XCTest

final class SnapshotCommandTests: XCTestCase {
    func testSnapshotOfASnapshotGivesTheSameInventory() throws {
        let out = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let source = CLI.resource("sample-host-vfs")
        let result = try CLI.run(["snapshot", "--root", source, "--output", out])
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertTrue(result.stdoutText.contains("snapshot: \(out)"), result.stdoutText)
        let before = try CLI.run(["devices", "--all", "--format", "json", "--root", source])
        let after = try CLI.run(["devices", "--all", "--format", "json", "--root", out])
        XCTAssertEqual(before.stdoutText, after.stdoutText)
        // Links are kept as links, with their stored (dangling) targets.
        let driver = try FileManager.default.destinationOfSymbolicLink(atPath: out + "/sys/bus/pci/devices/0000:01:00.0/driver")
        XCTAssertEqual(driver, "../../../../bus/pci/drivers/igb")
        // Recorded commands are carried over and replayed.
        let lspci = try String(contentsOfFile: out + "/sriov-wizard/commands/lspci_-vvv.stdout", encoding: .utf8)
        XCTAssertTrue(lspci.contains("Single Root I/O Virtualization"))
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/sriov-wizard/manifest.json"))) as? [String: Any]
        XCTAssertEqual(manifest?["tool"] as? String, "sriov-wizard")
    }

    func testArchiveContainsTheTree() throws {
        let dir = CLI.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let archive = dir + "/host.tar.gz"
        let result = try CLI.run(["snapshot", "--root", CLI.resource("sample-host"), "--archive", archive])
        XCTAssertEqual(result.status, 0, result.stderrText)
        let listing = try Machine(root: "/").run(["tar", "-tzf", archive]).stdoutText
        XCTAssertTrue(listing.contains("./sys/bus/pci/devices/0000:01:00.0/config"), String(listing.prefix(500)))
        XCTAssertTrue(listing.contains("./proc/cmdline"))
    }

    func testSnapshotNeedsAnOutput() throws {
        let result = try CLI.run(["snapshot", "--root", CLI.resource("sample-host")])
        XCTAssertEqual(result.status, 64)
        XCTAssertTrue(result.stderrText.contains("--output DIR"), result.stderrText)
    }
}

