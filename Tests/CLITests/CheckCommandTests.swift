import Foundation
import XCTest

final class CheckCommandTests: XCTestCase {
    func testJSONHasTheDocumentedShapeAndStagesInOrder() throws {
        let result = try CLI.run(["check", "--root", CLI.resource("sample-host-vfs"), "--format", "json"])
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any])
        let tool = try XCTUnwrap(doc["tool"] as? [String: Any])
        XCTAssertEqual(tool["name"] as? String, "sriov-wizard")
        let host = try XCTUnwrap(doc["host"] as? [String: Any])
        XCTAssertEqual(host["kernel"] as? String, "6.12.95+deb12-amd64")
        XCTAssertEqual(host["cpuVendor"] as? String, "GenuineIntel")
        let stages = try XCTUnwrap(doc["stages"] as? [[String: Any]])
        XCTAssertEqual(stages.compactMap { $0["id"] as? String }, ["prerequisites", "bios", "device", "activation"])
        for stage in stages {
            for check in try XCTUnwrap(stage["checks"] as? [[String: Any]]) {
                XCTAssertNotNil(check["id"] as? String)
                XCTAssertTrue(["pass", "note", "warn", "fail", "skip"].contains(check["level"] as? String ?? ""))
                XCTAssertFalse((check["summary"] as? String ?? "").isEmpty)
                XCTAssertNotNil(check["evidence"] as? [String])
                XCTAssertNotNil(check["hint"] as? String)
                XCTAssertTrue(check.keys.contains("device"))
            }
        }
        // The lab CPU has no vmx (TCG): a real, honest failure, so the exit status is 1.
        let prerequisites = stages[0]["checks"] as? [[String: Any]] ?? []
        let cpu = try XCTUnwrap(prerequisites.first { $0["id"] as? String == "cpu-virtualization" })
        XCTAssertEqual(cpu["level"] as? String, "fail")
        XCTAssertEqual(result.status, 1)
        let devices = try XCTUnwrap(doc["devices"] as? [[String: Any]])
        XCTAssertEqual(devices.first?["address"] as? String, "0000:01:00.0")
        // Several stages, given in any order, run in the guide's order.
        let two = try CLI.run(["check", "--root", CLI.resource("sample-host-vfs"), "--stage", "activation", "--stage", "bios", "--format", "json"])
        let twoDoc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(two.stdout)) as? [String: Any])
        XCTAssertEqual((twoDoc["stages"] as? [[String: Any]])?.compactMap { $0["id"] as? String }, ["bios", "activation"])
    }

    func testSpanishFromFlagAndFromEnvironment() throws {
        let flag = try CLI.run(["check", "--root", CLI.resource("sample-host"), "--lang", "es"])
        XCTAssertTrue(flag.stdoutText.contains("Etapa 1/4: Requisitos de passthrough"), flag.stdoutText)
        let env = try CLI.run(["check", "--root", CLI.resource("sample-host")], environment: ["LC_ALL": "", "LANG": "es_ES.UTF-8"])
        XCTAssertTrue(env.stdoutText.contains("Etapa 1/4"), env.stdoutText)
        let english = try CLI.run(["check", "--root", CLI.resource("sample-host")], environment: ["LC_ALL": "", "LANG": "C.UTF-8"])
        XCTAssertTrue(english.stdoutText.contains("Stage 1/4: Passthrough prerequisites"), english.stdoutText)
    }

    func testStageAndDeviceSelection() throws {
        let result = try CLI.run(["check", "--root", CLI.resource("sample-host-vfs"), "--stage", "device", "--format", "json",
                                  "--device", "01:10.0"])
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any])
        let stages = try XCTUnwrap(doc["stages"] as? [[String: Any]])
        XCTAssertEqual(stages.compactMap { $0["id"] as? String }, ["device"])
        // A VF address selects its PF.
        let devices = try XCTUnwrap(doc["devices"] as? [[String: Any]])
        XCTAssertEqual(devices.first?["address"] as? String, "0000:01:00.0")
    }

    func testBadDeviceAndStageAreUsageErrors() throws {
        let bad = try CLI.run(["check", "--root", CLI.resource("sample-host"), "--device", "zz:00.0"])
        XCTAssertEqual(bad.status, 64)
        XCTAssertTrue(bad.stderrText.contains("not a PCI address"), bad.stderrText)
        let missing = try CLI.run(["check", "--root", CLI.resource("sample-host"), "--device", "0000:05:00.0"])
        XCTAssertEqual(missing.status, 64)
        XCTAssertTrue(missing.stderrText.contains("no such PCI function"), missing.stderrText)
        let notSRIOV = try CLI.run(["check", "--root", CLI.resource("sample-host"), "--device", "00:1f.2"])
        XCTAssertEqual(notSRIOV.status, 64)
        XCTAssertTrue(notSRIOV.stderrText.contains("has no SR-IOV capability"), notSRIOV.stderrText)
        let stage = try CLI.run(["check", "--root", CLI.resource("sample-host"), "--stage", "bogus"])
        XCTAssertEqual(stage.status, 64)
    }

    func testNoColourWithNOCOLOREvenOnATerminal() throws {
        let pty = try CLI.runInTerminal(["check", "--root", CLI.resource("sample-host")], input: "", environment: ["NO_COLOR": "1"])
        XCTAssertFalse(pty.contains("\u{1B}["), pty)
        let coloured = try CLI.runInTerminal(["check", "--root", CLI.resource("sample-host")], input: "")
        XCTAssertTrue(coloured.contains("\u{1B}[31mFAIL"), coloured)
    }
}
