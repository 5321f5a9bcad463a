import Foundation
import XCTest

final class DevicesCommandTests: XCTestCase {
    func testSampleHostJSONMatchesTheRealKernel() throws {
        let doc = try CLI.json(["devices", "--root", CLI.resource("sample-host-vfs"), "--format", "json"])
        let devices = try XCTUnwrap(doc["devices"] as? [[String: Any]])
        XCTAssertEqual(devices.count, 8)
        let pf = devices[0]
        XCTAssertEqual(pf["address"] as? String, "0000:01:00.0")
        XCTAssertEqual(pf["vendorId"] as? String, "8086")
        XCTAssertEqual(pf["deviceId"] as? String, "10c9")
        XCTAssertEqual(pf["classCode"] as? String, "020000")
        XCTAssertEqual(pf["driver"] as? String, "igb")
        XCTAssertEqual(pf["role"] as? String, "pf")
        XCTAssertTrue(pf["physfn"] is NSNull)
        XCTAssertEqual(pf["ari"] as? Bool, true)
        XCTAssertEqual(pf["iommuGroup"] as? Int, 5)
        XCTAssertEqual(pf["netdevs"] as? [String], ["enp1s0"])
        let sriov = try XCTUnwrap(pf["sriov"] as? [String: Any])
        XCTAssertEqual(sriov["initialVFs"] as? Int, 8)
        XCTAssertEqual(sriov["totalVFs"] as? Int, 7, "sysfs sriov_totalvfs wins over config space")
        XCTAssertEqual(sriov["configTotalVFs"] as? Int, 8)
        XCTAssertEqual(sriov["numVFs"] as? Int, 7)
        XCTAssertEqual(sriov["vfOffset"] as? Int, 128)
        XCTAssertEqual(sriov["vfStride"] as? Int, 2)
        XCTAssertEqual(sriov["vfDeviceId"] as? String, "10ca")
        let vfs = devices.dropFirst()
        XCTAssertEqual(vfs.map { $0["address"] as? String },
                       ["0000:01:10.0", "0000:01:10.2", "0000:01:10.4", "0000:01:10.6", "0000:01:11.0", "0000:01:11.2", "0000:01:11.4"])
        for (i, vf) in vfs.enumerated() {
            XCTAssertEqual(vf["role"] as? String, "vf")
            XCTAssertEqual(vf["physfn"] as? String, "0000:01:00.0")
            XCTAssertEqual(vf["driver"] as? String, "igbvf")
            XCTAssertEqual(vf["deviceId"] as? String, "10ca")
            XCTAssertEqual(vf["netdevs"] as? [String], ["enp1s0v\(i)"])
            XCTAssertEqual(vf["iommuGroup"] as? Int, 6 + i)
            XCTAssertTrue(vf["sriov"] is NSNull)
        }
    }

    func testSampleHostWithVFsOffShowsTheStartingPoint() throws {
        let doc = try CLI.json(["devices", "--root", CLI.resource("sample-host"), "--format", "json"])
        let devices = try XCTUnwrap(doc["devices"] as? [[String: Any]])
        XCTAssertEqual(devices.count, 1)
        let sriov = try XCTUnwrap(devices[0]["sriov"] as? [String: Any])
        XCTAssertEqual(sriov["numVFs"] as? Int, 0)
        XCTAssertEqual(sriov["totalVFs"] as? Int, 7)
        let all = try CLI.json(["devices", "--root", CLI.resource("sample-host"), "--format", "json", "--all"])
        let addresses = try XCTUnwrap(all["devices"] as? [[String: Any]]).compactMap { $0["address"] as? String }
        XCTAssertEqual(addresses, ["0000:00:00.0", "0000:00:02.0", "0000:00:10.0", "0000:00:11.0",
                                   "0000:00:1f.0", "0000:00:1f.2", "0000:00:1f.3", "0000:01:00.0"])
    }

    func testGoldenJSONRecordedInsideTheLabVM() throws {
        // The JSON the same binary printed on the live kernel inside ../shared/lab when the
        // snapshot was taken: the snapshot must give the same answer outside the VM.
        for name in ["sample-host", "sample-host-vfs"] {
            let golden = CLI.repository + "/Tests/Fixtures/lab/\(name).live-devices-all.json"
            guard FileManager.default.fileExists(atPath: golden) else { throw XCTSkip("no golden file \(golden)") }
            let expected = try String(contentsOfFile: golden, encoding: .utf8)
            let result = try CLI.run(["devices", "--all", "--format", "json", "--root", CLI.resource(name)])
            XCTAssertEqual(result.status, 0)
            XCTAssertEqual(result.stdoutText, expected, "devices --root \(name) differs from the live run in the VM")
        }
    }

    func testTextTableIsReadableAndUncolouredWhenNotATerminal() throws {
        let result = try CLI.run(["devices", "--root", CLI.resource("sample-host-vfs")])
        XCTAssertEqual(result.status, 0)
        let text = result.stdoutText
        XCTAssertTrue(text.hasPrefix("ADDRESS"), text)
        let pfRow = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("0000:01:00.0") })
        XCTAssertEqual(pfRow.split(separator: " ").prefix(6), ["0000:01:00.0", "PF", "8086:10c9", "igb", "7/7", "yes"])
        XCTAssertTrue(text.contains("Intel Corporation 82576 Gigabit Network Connection"), text)
        XCTAssertTrue(text.contains("7/7"), text)
        XCTAssertTrue(text.contains("config space says 8"), text)
        XCTAssertFalse(text.contains("\u{1B}["), "no colour when stdout is not a terminal")
    }

    func testConflictingOptionsAreAUsageError() throws {
        let result = try CLI.run(["devices", "--root", CLI.resource("sample-host"), "--lspci-file", "x.txt"])
        XCTAssertEqual(result.status, 64)
        XCTAssertTrue(result.stderrText.contains("--root and --lspci-file cannot be used together"), result.stderrText)
    }

    func testMissingRootSaysWhatToDo() throws {
        let result = try CLI.run(["devices", "--root", "/nonexistent-sriov-root"])
        XCTAssertEqual(result.status, 64)
        XCTAssertTrue(result.stderrText.contains("/nonexistent-sriov-root: no such directory or file"), result.stderrText)
        let empty = CLI.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let unreadable = try CLI.run(["devices", "--root", empty])
        XCTAssertEqual(unreadable.status, 3)
        XCTAssertTrue(unreadable.stderrText.contains("/sys/bus/pci/devices: no such file or directory"), unreadable.stderrText)
    }

    func testNotLspciOutputIsRefusedWithALineNumber() throws {
        let dir = CLI.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/notes.txt"
        try "hello world\nthis is not lspci\n".write(toFile: file, atomically: true, encoding: .utf8)
        let result = try CLI.run(["devices", "--lspci-file", file])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderrText.contains("notes.txt:1:"), result.stderrText)
        let missing = try CLI.run(["devices", "--lspci-file", dir + "/missing.txt"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderrText.contains("missing.txt: no such file"), missing.stderrText)
    }

    func testLspciFileFromTheLabGivesTheSamePF() throws {
        let file = CLI.resource("sample-host-vfs/sriov-wizard/commands/lspci_-vvv.stdout")
        let doc = try CLI.json(["devices", "--lspci-file", file, "--format", "json"])
        let devices = try XCTUnwrap(doc["devices"] as? [[String: Any]])
        let pf = try XCTUnwrap(devices.first { $0["role"] as? String == "pf" })
        XCTAssertEqual(pf["address"] as? String, "0000:01:00.0")
        let sriov = try XCTUnwrap(pf["sriov"] as? [String: Any])
        XCTAssertEqual(sriov["totalVFs"] as? Int, 8, "with --lspci-file totalVFs is what lspci printed")
        XCTAssertEqual(sriov["numVFs"] as? Int, 7)
        XCTAssertEqual(devices.filter { $0["role"] as? String == "vf" }.count, 7)
    }

    func testHelpHasExamplesAndExitCodes() throws {
        let top = try CLI.run(["--help"])
        XCTAssertEqual(top.status, 0)
        XCTAssertTrue(top.stdoutText.contains("EXAMPLES:"))
        XCTAssertTrue(top.stdoutText.contains("EXIT STATUS:"))
        let devices = try CLI.run(["devices", "--help"])
        XCTAssertTrue(devices.stdoutText.contains("--lspci-file <FILE>"))
        XCTAssertTrue(devices.stdoutText.contains("EXAMPLES:"))
        let version = try CLI.run(["--version"])
        XCTAssertEqual(version.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines), "0.1.0")
    }
}
