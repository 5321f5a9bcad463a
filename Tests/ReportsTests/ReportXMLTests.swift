import Foundation
import HostAccess
import Reports
import SRIOVCore
import XCTest
import XMLKit

final class ReportXMLTests: XCTestCase {
    func testEverySnapshotReportIsSchemaValidForXMLKitAndXmllint() throws {
        for tree in ReportFixture.trees {
            for language in Language.allCases {
                let xml = try ReportXML.render(try ReportFixture.report(root: tree.path, language: language))
                XCTAssertTrue(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<report xmlns=\"urn:sriov-wizard:report:1\""), tree.name)
                try ReportFixture.assertXmllintValid(xml)
            }
        }
    }

    func testSameInputGivesTheSameBytes() throws {
        for tree in ReportFixture.trees {
            let a = try ReportFixture.report(root: tree.path)
            let b = try ReportFixture.report(root: tree.path)
            XCTAssertEqual(try ReportXML.render(a), try ReportXML.render(b), tree.name)
            XCTAssertEqual(try ReportHTML.render(a), try ReportHTML.render(b), tree.name)
        }
    }

    func testNoTimeWhenNoneIsGiven() throws {
        let xml = try ReportXML.render(try ReportFixture.report(root: ReportFixture.trees[1].path, time: nil))
        XCTAssertFalse(xml.contains("time="), "a report without --time must not carry one")
    }

    func testSampleReportContent() throws {
        let report = try ReportFixture.report(root: ReportFixture.trees[1].path)
        XCTAssertEqual(report.host.hostname, "sriov-lab")
        XCTAssertEqual(report.host.kernel, "6.12.95+deb12-amd64")
        XCTAssertEqual(report.stages.map(\.id), StageID.allCases)
        // Every check of `check` is in the report, whatever checks exist now.
        let machine = HostAccessMachine.make(ReportFixture.trees[1].path)
        let stages = verifyStages(machine)
        XCTAssertEqual(report.stages.map { $0.checks.map(\.id) }, stages.map { $0.checks.map(\.id) })
        let pf = try XCTUnwrap(report.devices.first)
        XCTAssertEqual(pf.address, "0000:01:00.0")
        XCTAssertEqual(pf.role, .pf)
        XCTAssertEqual(pf.vfs.count, 7)
        XCTAssertEqual(pf.sriov?.totalVFs, 7)
        XCTAssertEqual(pf.sriov?.numVFs, 7)
        XCTAssertTrue(pf.vfs.allSatisfy { $0.driver == "igbvf" && $0.netdevs.first?.mac != nil && $0.iommuGroup != nil })
        XCTAssertEqual(report.vfCounts.enabled, 7)
        XCTAssertEqual(report.iommuGroups.map(\.number), Array(0...12))
        let guest = try XCTUnwrap(report.guestDrivers.first)
        XCTAssertEqual(guest.linuxDriver, "igbvf")
        XCTAssertTrue(guest.windows?.package.contains("Intel") ?? false)
        XCTAssertTrue(guest.windows?.url?.hasPrefix("https://") ?? false)
        XCTAssertNil(report.changes, "nothing is recorded until apply exists")
        XCTAssertEqual(report.evidence.first?.source, "dmesg")
    }

    func testReadBackGivesTheSameModelAndTheSameHTML() throws {
        for tree in ReportFixture.trees {
            for original in [try ReportFixture.report(root: tree.path), try ReportFixture.redacted(root: tree.path),
                             try ReportFixture.report(root: tree.path, language: .es, time: nil)] {
                let xml = try ReportXML.render(original)
                let read = try ReportXML.read(xml)
                XCTAssertEqual(read, original, tree.name)
                XCTAssertEqual(try ReportHTML.render(read), try ReportHTML.render(original), tree.name)
                XCTAssertEqual(try ReportXML.render(read), xml, tree.name)
            }
        }
    }

    func testChangesSectionIsTypedAndOptional() throws {
        var report = GoldenReport.model
        report.changes = [ChangeRecord(id: "c1", state: .applied, time: "2026-01-31T12:00:00Z",
                                       file: "/etc/modprobe.d/igb.conf", description: "options igb max_vfs=7")]
        let xml = try ReportXML.render(report)
        XCTAssertTrue(xml.contains("<change id=\"c1\" state=\"applied\""), xml)
        XCTAssertEqual(try ReportXML.read(xml).changes, report.changes)
        report.changes = nil
        XCTAssertFalse(try ReportXML.render(report).contains("<changes"))
        XCTAssertTrue(try ReportHTML.render(report).contains("No changes recorded"))
    }

    func testTheWriterRefusesWhatTheSchemaRefuses() throws {
        var report = GoldenReport.model
        report.time = "yesterday"
        XCTAssertThrowsError(try ReportXML.render(report)) { error in
            guard case .selfCheckFailed(let message)? = error as? ReportError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("time"), message)
        }
    }
}

/// A check context for a snapshot tree.
enum HostAccessMachine {
    static func make(_ root: String) -> CheckContext {
        let machine = Machine(root: root)
        return CheckContext(machine: machine, inventory: (try? SysfsInventory.load(machine)) ?? Inventory(functions: [], source: "sysfs"))
    }
}
