import Foundation
import XCTest

/// `rollback` shows its plan and asks, as `apply` does: without a terminal it needs --yes
/// (exit 5 and nothing changed otherwise); on a terminal "n" keeps the files and "s" (Spanish
/// yes) rolls back.
final class RollbackConfirmationTests: XCTestCase {
    var root = ""
    let rules = "/etc/udev/rules.d/70-sriov-wizard.rules"

    override func setUpWithError() throws {
        root = CLI.temporaryDirectory()
        try FileManager.default.copyItem(atPath: CLI.resource("sample-host"), toPath: root)
        let r = try CLI.run(["apply", "--root", root, "--device", "0000:01:00.0", "--vfs", "4", "--yes"])
        XCTAssertEqual(r.status, 0, r.stderrText)
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + rules))
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    func testWithoutTerminalAndWithoutYesRefusesAndChangesNothing() throws {
        let r = try CLI.run(["rollback", "--root", root, "--last"])
        XCTAssertEqual(r.status, 5, r.stdoutText + r.stderrText)
        XCTAssertTrue(r.stdoutText.contains("Rollback of "), r.stdoutText)
        XCTAssertTrue(r.stderrText.contains("Add --yes to roll back"), r.stderrText)
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + rules), "the rollback ran without confirmation")
        let es = try CLI.run(["rollback", "--root", root, "--last", "--lang", "es"])
        XCTAssertEqual(es.status, 5)
        XCTAssertTrue(es.stdoutText.contains("Deshacer "), es.stdoutText)
        XCTAssertTrue(es.stderrText.contains("Añada --yes para deshacer"), es.stderrText)
    }

    func testOnATerminalNoKeepsTheFilesAndSpanishYesRollsBack() throws {
        var screen = try CLI.runInTerminal(["rollback", "--root", root, "--last"], input: "n\n", environment: ["NO_COLOR": "1"])
        XCTAssertTrue(screen.contains("Roll back these changes? [y/N]"), screen)
        XCTAssertTrue(screen.contains("Nothing was changed."), screen)
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + rules), screen)
        screen = try CLI.runInTerminal(["rollback", "--root", root, "--last", "--lang", "es"], input: "s\n", environment: ["NO_COLOR": "1"])
        XCTAssertTrue(screen.contains("¿Deshacer estos cambios? [s/N]"), screen)
        XCTAssertTrue(screen.contains("Deshecho "), screen)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + rules), screen)
    }
}
