import Foundation
import HostAccess
import XCTest

/// `report` and `snapshot` carry the host id (a salted hash of the machine-id), never the raw value.
final class HostIDTests: XCTestCase {
    let machineID = "9a8b7c6d5e4f40312a2b3c4d5e6f7081"
    var directories: [String] = []
    override func tearDown() { for d in directories { try? FileManager.default.removeItem(atPath: d) } }

    /// sample-host-vfs with an /etc/machine-id.
    func host(machineID: String) throws -> String {
        let dir = CLI.temporaryDirectory()
        directories.append(dir)
        let copy = try Machine(root: "/").run(["cp", "-a", CLI.resource("sample-host-vfs"), dir])
        XCTAssertEqual(copy.status, 0, copy.stderrText)
        try Data((machineID + "\n").utf8).write(to: URL(fileURLWithPath: dir + "/etc/machine-id"))
        return dir
    }

    func hostID(inXML xml: String) -> String? {
        guard let range = xml.range(of: #"<host id="[0-9a-f]{64}""#, options: .regularExpression) else { return nil }
        return String(xml[range].dropFirst(#"<host id=""#.count).dropLast())
    }

    func testReportSnapshotAndRedactedReportCarryTheSameHostID() throws {
        let root = try host(machineID: machineID)
        let direct = try CLI.run(["report", "--root", root, "--xml", "-", "--time", "none"])
        XCTAssertEqual(direct.status, 0, direct.stderrText)
        let id = try XCTUnwrap(hostID(inXML: direct.stdoutText), String(direct.stdoutText.prefix(600)))
        XCTAssertFalse(direct.stdoutText.contains(machineID))

        let snapshot = CLI.temporaryDirectory()
        directories.append(snapshot)
        let taken = try CLI.run(["snapshot", "--root", root, "--output", snapshot])
        XCTAssertEqual(taken.status, 0, taken.stderrText)
        XCTAssertEqual(try String(contentsOfFile: snapshot + "/sriov-wizard/host-id", encoding: .utf8), id + "\n")
        let grep = try Machine(root: "/").run(["grep", "-rl", machineID, snapshot])
        XCTAssertEqual(grep.status, 1, "the raw machine-id is in the snapshot: " + grep.stdoutText)

        let fromSnapshot = try CLI.run(["report", "--root", snapshot, "--xml", "-", "--time", "none"])
        XCTAssertEqual(hostID(inXML: fromSnapshot.stdoutText), id)
        let redacted = try CLI.run(["report", "--root", snapshot, "--xml", "-", "--time", "none", "--redact"])
        XCTAssertEqual(redacted.status, 0, redacted.stderrText)
        XCTAssertTrue(redacted.stdoutText.contains(#"redacted="true""#))
        XCTAssertEqual(hostID(inXML: redacted.stdoutText), id)

        // HTML and reading back keep it.
        let xmlFile = snapshot + "/r.xml"
        try Data(redacted.stdout).write(to: URL(fileURLWithPath: xmlFile))
        let html = try CLI.run(["report", "--from", xmlFile, "--html", "-"])
        XCTAssertEqual(html.status, 0, html.stderrText)
        XCTAssertTrue(html.stdoutText.contains(id))
        let again = try CLI.run(["report", "--from", xmlFile, "--xml", "-"])
        XCTAssertEqual(hostID(inXML: again.stdoutText), id)
    }

    func testAnotherMachineIDGivesAnotherHostID() throws {
        let a = try CLI.run(["report", "--root", try host(machineID: machineID), "--xml", "-", "--time", "none"])
        let b = try CLI.run(["report", "--root", try host(machineID: "11112222333344445555666677778888"), "--xml", "-", "--time", "none"])
        let idA = try XCTUnwrap(hostID(inXML: a.stdoutText))
        let idB = try XCTUnwrap(hostID(inXML: b.stdoutText))
        XCTAssertNotEqual(idA, idB)
    }

    func testAReportWithoutAnIDSourceHasNoHostID() throws {
        let plain = try CLI.run(["report", "--root", CLI.resource("sample-host-vfs"), "--xml", "-", "--time", "none"])
        XCTAssertEqual(plain.status, 0, plain.stderrText)
        XCTAssertFalse(plain.stdoutText.contains("<host id="))
    }
}
