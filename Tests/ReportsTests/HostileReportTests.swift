import Foundation
import HostAccess
import Reports
import SRIOVCore
import XCTest
import XMLKit

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

    // MARK: - links and scripts in reports from strangers

    /// A report read back with `report --from` has its Windows driver URL from the file: only
    /// http(s) may become a link, whatever spelling the file uses.
    func testOnlyHTTPURLsBecomeLinks() throws {
        let good = try ReportXML.render(GoldenReport.model)
        let url = try XCTUnwrap(GoldenReport.model.guestDrivers.first?.windows?.url)
        let hostile = [
            "javascript:alert(document.domain)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java&#x09;script:alert(1)",
            "&#106;avascript:alert(1)", "&#x6A;&#x61;vascript:alert(1)", "java&#10;script:alert(1)", "data:text/html;base64,PHNjcmlwdD4=",
            "vbscript:msgbox(1)", "  https://x.example/", "https:/x.example", "//evil.example/", "https:\\evil.example",
            "http://a.example/&#x202E;lmth.exe", "file:///etc/passwd",
        ]
        var refused: [String] = []
        for bad in hostile {
            let xml = good.replacingOccurrences(of: "url=\"" + url + "\"", with: "url=\"" + bad + "\"")
            XCTAssertNotEqual(xml, good)
            // The schema types the URL as xs:anyURI, which refuses a few of these (the tab and LF
            // forms) outright; a refused report renders nothing, which is fine too.
            guard let report = try? ReportXML.read(xml) else { refused.append(bad); continue }
            let html = try ReportHTML.render(report)
            XCTAssertFalse(html.contains("href=\"" + (report.guestDrivers.first?.windows?.url ?? "?")), bad)
            XCTAssertFalse(html.lowercased().contains("href=\"javascript") || html.lowercased().contains("href=\"data:")
                           || html.lowercased().contains("href=\"vbscript") || html.contains("href=\" "), bad)
            XCTAssertTrue(html.contains("Intel Ethernet Adapter Complete Driver Pack"), "the package is still named")
        }
        XCTAssertLessThanOrEqual(refused.count, 3, "most reach the renderer: \(refused)")
        for fine in ["https://www.intel.com/download/15084", "HTTP://example.com/x?a=1&b=2"] {
            let xml = good.replacingOccurrences(of: "url=\"" + url + "\"", with: "url=\"" + fine.replacingOccurrences(of: "&", with: "&amp;") + "\"")
            let html = try ReportHTML.render(try ReportXML.read(xml))
            XCTAssertTrue(html.contains("href=\"" + fine.replacingOccurrences(of: "&", with: "&amp;") + "\""), "\(fine) stays a link")
        }
        XCTAssertNil(ReportHTML.linkTarget("java\tscript:x"))
        XCTAssertNil(ReportHTML.linkTarget("https://"))
        XCTAssertEqual(ReportHTML.linkTarget("https://a.example/b"), "https://a.example/b")
    }

    /// Every HTML page carries a strict policy; its hashes are those of the page's own style
    /// sheet and (collect's) sort script, computed independently with Python's hashlib.
    func testEveryHTMLPageHasAStrictContentSecurityPolicyWithMatchingHashes() throws {
        let report = try ReportHTML.render(GoldenReport.model)
        let fleet = try FleetSummary(rows: [FleetRow(file: "a.xml", report: GoldenReport.model)], language: .en).html()
        for (name, html) in [("report", report), ("collect", fleet)] {
            let policy = try XCTUnwrap(Self.between(html, "<meta http-equiv=\"Content-Security-Policy\" content=\"", "\""), name)
            XCTAssertTrue(policy.hasPrefix("default-src 'none'; style-src 'sha256-"), policy)
            XCTAssertFalse(policy.contains("unsafe"), policy)
            XCTAssertLessThan(try XCTUnwrap(html.range(of: "Content-Security-Policy")).lowerBound, try XCTUnwrap(html.range(of: "<style>")).lowerBound)
            let style = try XCTUnwrap(Self.between(html, "<style>", "</style>"))
            XCTAssertTrue(policy.contains("style-src " + (try Self.pythonHash(style))), "\(name): style hash")
            if let script = Self.between(html, "<script>", "</script>") {
                XCTAssertEqual(name, "collect", "only collect's page has a script")
                XCTAssertTrue(policy.contains("script-src " + (try Self.pythonHash(script))), "\(name): script hash")
            } else {
                XCTAssertFalse(policy.contains("script-src"), "no script, none allowed")
                XCTAssertEqual(name, "report")
            }
        }
    }

    static func between(_ text: String, _ start: String, _ end: String) -> String? {
        guard let a = text.range(of: start), let b = text.range(of: end, range: a.upperBound..<text.endIndex) else { return nil }
        return String(text[a.upperBound..<b.lowerBound])
    }

    /// `'sha256-…'` of `text` by python3's hashlib (independent of the code under test).
    static func pythonHash(_ text: String) throws -> String {
        let dir = try ReportFixture.temporaryDirectory()
        try text.write(toFile: dir + "/in", atomically: true, encoding: .utf8)
        let python = try XCTUnwrap(LiveCommandRunner.resolve("python3"), "python3")
        let result = try LiveCommandRunner().run([python, "-c", "import hashlib,base64,sys; print(base64.b64encode(hashlib.sha256(open(sys.argv[1],'rb').read()).digest()).decode())", dir + "/in"],
                                                 timeout: 30, outputLimit: 1 << 16)
        XCTAssertEqual(result.status, 0, result.stderrText)
        return "'sha256-" + result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) + "'"
    }

    // MARK: - resource limits

    /// The shapes of issue 11 as whole files: refused by the shape limits, quickly, with the
    /// limit named.
    func testHostileShapesAreRefusedBeforeParsing() throws {
        let good = try ReportXML.render(GoldenReport.model)
        let open = "<report xmlns=\"urn:sriov-wizard:report:1\""
        let namespaces = good.replacingOccurrences(of: open, with: open + (0..<400_000).map { " xmlns:p\($0)=\"u\"" }.joined())
        let tiny = good.replacingOccurrences(of: "</report>", with: String(repeating: "<a/>", count: (15 << 20) / 4) + "</report>")
        let deep = good.replacingOccurrences(of: "</report>", with: String(repeating: "<a>", count: 100) + "</report>")
        for (name, xml, what) in [("namespaces", namespaces, "on one element"), ("tiny elements", tiny, "elements"), ("deep", deep, "levels")] {
            XCTAssertLessThan(xml.utf8.count, ReportXML.sizeLimit, name)
            let start = Date()
            assertRefused(xml, mentioning: ["refused", what, "hostile", "line"])
            XCTAssertLessThan(Date().timeIntervalSince(start), 5, name)
        }
    }

    /// Real reports pass the shape limits with room to spare.
    func testGoldenReportsAreFarBelowTheShapeLimits() throws {
        let dir = ReportFixture.repository + "/Tests/ReportsTests/Golden"
        for name in try FileManager.default.contentsOfDirectory(atPath: dir) where name.hasSuffix(".xml") {
            let text = try String(contentsOfFile: dir + "/" + name, encoding: .utf8)
            XCTAssertNoThrow(try ReportXML.read(text), name)
            let tenTimes = XMLLimits(elements: ReportXML.shapeLimits.elements / 10, attributes: ReportXML.shapeLimits.attributes / 10,
                                     attributesPerElement: ReportXML.shapeLimits.attributesPerElement / 2, depth: ReportXML.shapeLimits.depth / 2)
            XCTAssertNoThrow(try tenTimes.check(text), name)
        }
    }
}
