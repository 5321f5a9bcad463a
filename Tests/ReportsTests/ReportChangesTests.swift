import Foundation
import HostAccess
import Reports
import SRIOVCore
import XCTest

/// Issue 12: the report lists what `apply` recorded in the journal (it passed `changes: nil`,
/// so after a journaled apply the HTML said "No changes recorded").
final class ReportChangesTests: XCTestCase {
    func testJournaledApplyIsListedInXMLAndHTML() throws {
        let dir = try ReportFixture.temporaryDirectory()
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let root = dir + "/host"
        try FileManager.default.copyItem(atPath: ReportFixture.repository + "/Resources/sample-host", toPath: root)
        XCTAssertNil(try ReportFixture.report(root: root).changes, "no journal yet")

        let machine = Machine(root: root)
        let context = CheckContext(machine: machine, inventory: try SysfsInventory.load(machine))
        let plan = try VFIOModulesPlanner.plan(context: context)
        let outcome = try PlanExecutor(machine: machine).apply(plan, command: ["sriov-wizard", "apply", "--vfio"])
        XCTAssertTrue(outcome.succeeded, outcome.failure ?? "")

        let report = try ReportFixture.report(root: root)
        let changes = try XCTUnwrap(report.changes)
        let edit = try XCTUnwrap(changes.first { $0.file == VFIOModulesPlanner.path }, "\(changes)")
        XCTAssertEqual(edit.state, .applied)
        XCTAssertTrue(edit.id.hasPrefix(outcome.journalID + "/"), edit.id)
        let initramfs = try XCTUnwrap(changes.first { $0.command == "update-initramfs -u -k all" }, "\(changes)")
        XCTAssertEqual(initramfs.state, .planned, "a snapshot root runs no command")

        let xml = try ReportXML.render(report)
        XCTAssertTrue(xml.contains("<file>/etc/modules-load.d/vfio.conf</file>"), xml)
        XCTAssertTrue(xml.contains("state=\"applied\""), xml)
        try ReportFixture.assertXmllintValid(xml)
        XCTAssertEqual(try ReportXML.read(xml).changes, report.changes)
        let html = try ReportHTML.render(report)
        XCTAssertFalse(html.contains("No changes recorded"), "the apply is recorded")
        XCTAssertTrue(html.contains("/etc/modules-load.d/vfio.conf"))

        // Rolled back: the change is undone, so it is no longer listed.
        let rollback = Rollback(machine: machine)
        _ = rollback.run(try rollback.plan(id: outcome.journalID))
        XCTAssertEqual(try ReportFixture.report(root: root).changes, [])
    }
}
