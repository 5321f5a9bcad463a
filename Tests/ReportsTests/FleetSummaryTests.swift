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
        let text = FleetSummary(rows: rows, language: .en).text()
        XCTAssertEqual(text.count, 3)
        XCTAssertEqual(text[1][7], "7/7")
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
