import Foundation
import Reports
import SRIOVCore
import XCTest

/// Saved reports come from other people's machines: the reader must refuse hostile input
/// with a clear message, never expand, fetch or grow.
final class HostileReportTests: XCTestCase {
    func assertRefused(_ text: String, mentioning words: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ReportXML.read(text), file: file, line: line) { error in
            guard case .invalidReport(let message)? = error as? ReportError else { return XCTFail("\(error)", file: file, line: line) }
            for word in words { XCTAssertTrue(message.contains(word), "\(message) should mention \(word)", file: file, line: line) }
        }
    }

    func testBillionLaughs() {
        var entities = "<!ENTITY lol \"lol\">"
        for i in 1...9 { entities += "<!ENTITY lol\(i) \"" + String(repeating: "&lol\(i == 1 ? "" : String(i - 1));", count: 10) + "\">" }
        let xml = "<?xml version=\"1.0\"?><!DOCTYPE report [\(entities)]><report xmlns=\"urn:sriov-wizard:report:1\">&lol9;</report>"
        assertRefused(xml, mentioning: ["refused", "hostile"])
    }

    func testExternalEntity() {
        let xml = """
        <?xml version="1.0"?>
        <!DOCTYPE report [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
        <report xmlns="urn:sriov-wizard:report:1">&xxe;</report>
        """
        assertRefused(xml, mentioning: ["refused", "DOCTYPE"])
    }

    func testHugeAttribute() throws {
        var report = GoldenReport.model
        report.stages[0].checks[0].id = "x"
        let good = try ReportXML.render(report)
        let huge = good.replacingOccurrences(of: "id=\"x\"", with: "id=\"" + String(repeating: "A", count: 2 << 20) + "\"")
        assertRefused(huge, mentioning: ["schema", "maxLength"])
        XCTAssertThrowsError(try ReportXML.read(huge)) { XCTAssertLessThan("\($0)".count, 1000, "the message stays short") }
        let tooLarge = good.replacingOccurrences(of: "id=\"x\"", with: "id=\"" + String(repeating: "A", count: 17 << 20) + "\"")
        assertRefused(tooLarge, mentioning: ["refused", "limit"])
    }

    func testWrongNamespaceAndWrongRoot() throws {
        let good = try ReportXML.render(GoldenReport.model)
        assertRefused(good.replacingOccurrences(of: "urn:sriov-wizard:report:1", with: "urn:example:other"),
                      mentioning: ["not an sriov-wizard report", "urn:example:other"])
        assertRefused(good.replacingOccurrences(of: " xmlns=\"urn:sriov-wizard:report:1\"", with: ""), mentioning: ["without a namespace"])
        let fleet = try FleetSummary(rows: [], language: .en).xml()
        assertRefused(fleet, mentioning: ["<fleet>", "expected <report>"])
    }

    func testNotXMLAndNotAReport() throws {
        assertRefused("", mentioning: ["XML"])
        assertRefused("{\"stages\": []}", mentioning: ["not well-formed"])
        assertRefused("<report xmlns=\"urn:sriov-wizard:report:1\"><host>", mentioning: ["not well-formed"])
        assertRefused("<report xmlns=\"urn:sriov-wizard:report:1\"/>", mentioning: ["schema"])
        let good = try ReportXML.render(GoldenReport.model)
        assertRefused(good.replacingOccurrences(of: "level=\"fail\"", with: "level=\"maybe\""), mentioning: ["schema", "maybe"])
    }
}
