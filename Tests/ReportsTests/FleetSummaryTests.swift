import Foundation
import Reports
import SRIOVCore
import XCTest

final class FleetSummaryTests: XCTestCase {
    func rows() throws -> [FleetRow] {
        try ReportFixture.trees.map { FleetRow(file: $0.name + ".xml", report: try ReportXML.read(try ReportXML.render(try ReportFixture.report(root: $0.path)))) }
    }

    func testRowsSummariseEachHost() throws {
        let rows = try rows()
        let vfs = try XCTUnwrap(rows.first { $0.file == "sample-host-vfs.xml" })
        XCTAssertEqual(vfs.hostname, "sriov-lab")
        XCTAssertEqual(vfs.sriovDevices, 1)
        XCTAssertEqual(vfs.vfsEnabled, 7)
        XCTAssertEqual(vfs.vfsTotal, 7)
        XCTAssertEqual(vfs.stages.map(\.id), StageID.allCases)
        XCTAssertEqual(vfs.failing.map(\.check), vfs.problems.filter { $0.level == .fail }.map(\.id))
        let summary = FleetSummary(rows: rows, language: .en)
        let text = summary.text()
        XCTAssertEqual(text.count, 3)
        let vfsRow = try XCTUnwrap(text.first { $0[1] == "sample-host-vfs.xml" })
        XCTAssertEqual(vfsRow[summary.textHeader.firstIndex(of: "VFS")!], "7/7")
        let checks = vfs.problems.count + vfs.counts.pass
        XCTAssertGreaterThan(checks, 5)
        XCTAssertEqual(vfsRow[summary.textHeader.firstIndex(of: "CHECKS")!], "\(vfs.counts.fail) fail, \(vfs.counts.warn) warn, \(vfs.counts.pass) pass")
    }

    /// Reports of hosts that all have the same name: every row shows its file and time, rows
    /// come most severe first, then by name, file and time, whatever order the files came in.
    func testRowsAreOrderedBySeverityThenNameAndShowFileAndTime() throws {
        let base = try rows()
        func row(_ name: String, _ file: String, _ time: String?) throws -> FleetRow {
            var r = try XCTUnwrap(base.first { $0.file == name + ".xml" })
            r.hostname = "pve"
            r.file = file
            r.time = time
            return r
        }
        let given = [try row("sample-host-vfs", "b.xml", "2026-12-01T10:00:00Z"),   // warn
                     try row("sample-host", "c.xml", "2026-12-01T09:00:00Z"),       // fail
                     try row("sample-host", "a.xml", "2026-12-01T11:00:00Z"),       // fail
                     try row("sample-host-vfs", "b.xml", "2026-12-01T08:00:00Z")]   // warn, earlier
        for order in [given, given.reversed(), [given[2], given[0], given[3], given[1]]] {
            let summary = FleetSummary(rows: order, language: .en)
            XCTAssertEqual(summary.rows.map { "\($0.file) \($0.time ?? "")" },
                           ["a.xml 2026-12-01T11:00:00Z", "c.xml 2026-12-01T09:00:00Z", "b.xml 2026-12-01T08:00:00Z", "b.xml 2026-12-01T10:00:00Z"])
        }
        XCTAssertEqual(given[1].level, .fail)
        let summary = FleetSummary(rows: given, language: .en)
        let text = summary.text()
        XCTAssertEqual(text.map { $0[1] }, ["a.xml", "c.xml", "b.xml", "b.xml"])
        XCTAssertEqual(text.map { $0[2] }, ["2026-12-01T11:00:00Z", "2026-12-01T09:00:00Z", "2026-12-01T08:00:00Z", "2026-12-01T10:00:00Z"])
        let json = summary.json().serialised()
        XCTAssertTrue(json.contains("\"checks\" : {") || json.contains("\"checks\": {"), json)
        let html = try summary.html()
        for file in ["a.xml", "b.xml", "c.xml"] { XCTAssertTrue(html.contains("<code>\(file)</code>"), file) }
        XCTAssertTrue(html.contains("2026-12-01T08:00:00Z"))
        // Phones: the kernel, stage and SR-IOV columns are marked wide (hidden by report.css).
        XCTAssertEqual(html.components(separatedBy: "<th scope=\"col\" data-sort=\"1\" class=\"wide\"").count, 2, "kernel column marked wide")
        XCTAssertFalse(html.contains("data-sort=\"0\" class=\"wide\""), "the host column stays")
        XCTAssertFalse(html.contains("data-sort=\"6\" class=\"wide\""), "the counts column stays")
        let spanish = FleetSummary(rows: given, language: .es)
        XCTAssertEqual(Array(spanish.textHeader.prefix(3)), ["EQUIPO", "FICHERO", "HORA"])
        XCTAssertTrue(spanish.text()[0].contains { $0.hasSuffix("bien") && $0.contains("fallan") })
        try ReportFixture.assertXmllintValid(try summary.xml())
        XCTAssertTrue(try summary.xml().contains("checksFailed=\"\(given[2].counts.fail)\""))
    }

    func testXMLIsSchemaValidAndHTMLSortableWithAnchors() throws {
        let summary = FleetSummary(rows: try rows(), language: .en, time: "2026-01-31T12:00:00Z")
        let xml = try summary.xml()
        XCTAssertTrue(xml.contains("<fleet xmlns=\"urn:sriov-wizard:report:1\""))
        try ReportFixture.assertXmllintValid(xml)
        let html = try summary.html()
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        for i in 1...3 {
            XCTAssertTrue(html.contains("href=\"#host-\(i)\""))
            XCTAssertTrue(html.contains("id=\"host-\(i)\""))
        }
        XCTAssertTrue(html.contains("data-sort=\"0\""))
        XCTAssertEqual(html.components(separatedBy: "<script").count, 2, "one inline sort script")
        XCTAssertFalse(html.contains("src="))
        XCTAssertTrue(html.contains("a.closest") || html.contains("closest(\"th[data-sort]\")"), "script written raw, not escaped")
    }
}
