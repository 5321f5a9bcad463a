import Foundation
import XCTest
@testable import XMLKit

/// `XMLLimits` refuses hostile shapes before libxml2 builds anything, and lets real shapes by.
final class XMLLimitsTests: XCTestCase {
    let limits = XMLLimits(elements: 100, attributes: 200, attributesPerElement: 8, depth: 5)

    func assertRefused(_ xml: String, _ what: String, line expectedLine: Int? = nil, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try limits.check(xml), file: file, line: line) { error in
            guard case .limitExceeded(let w, _, let at)? = error as? XMLKitError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertTrue(w.contains(what), "\(w) should say \(what)", file: file, line: line)
            if let expectedLine { XCTAssertEqual(at, expectedLine, file: file, line: line) }
            XCTAssertTrue("\(error)".contains("not parsed"), file: file, line: line)
        }
    }

    func testCountsElementsAttributesAndDepth() throws {
        XCTAssertNoThrow(try limits.check("<a x=\"1\"><b/><c y='2' z=\"3\">text</c></a>"))
        assertRefused("<r>" + String(repeating: "<a/>", count: 100) + "</r>", "elements")
        assertRefused("<r>\n\n<a " + (0..<9).map { "a\($0)=\"\"" }.joined(separator: " ") + "/></r>", "on one element", line: 3)
        assertRefused("<r>" + String(repeating: "<a x='1' y='2' z='3'/>", count: 70) + "</r>", "attributes and namespace declarations")
        assertRefused("<a><a><a><a><a><a></a></a></a></a></a></a>", "levels")
        XCTAssertNoThrow(try limits.check("<a><a><a><a><a></a></a></a></a></a>"), "depth 5 is allowed")
        XCTAssertNoThrow(try limits.check(String(repeating: "<a><b/></a>", count: 40)), "siblings do not add depth")
    }

    func testNamespaceDeclarationsCount() {
        assertRefused("<r " + (0..<9).map { "xmlns:p\($0)=\"urn:x\"" }.joined(separator: " ") + "/>", "on one element")
    }

    /// Markup inside comments, CDATA, processing instructions and attribute values is not markup.
    func testCommentsCDATAAndQuotedValuesAreNotCounted() throws {
        let inside = String(repeating: "<a b=\"c\">", count: 500)
        XCTAssertNoThrow(try limits.check("<?xml version=\"1.0\"?><r><!-- \(inside) --><![CDATA[\(inside)]]><?pi \(inside)?></r>"))
        XCTAssertNoThrow(try limits.check("<r v=\"" + String(repeating: "a=&quot;b&quot; <x/>", count: 300) + "\"/>"))
        XCTAssertNoThrow(try limits.check("<r v='\"=\"=\"=\"=\"=\"=\"=\"=\"=\"=\"'/>"), "= inside a quoted value is text")
    }

    /// The shapes of issue 11, at full size: refused in well under the 5 s the reader may take.
    func testHostileShapesAreRefusedQuickly() throws {
        let reportLimits = XMLLimits(elements: 400_000, attributes: 800_000, attributesPerElement: 32, depth: 32)
        let namespaces = "<r " + (0..<400_000).map { "xmlns:p\($0)=\"u\"" }.joined(separator: " ") + "/>"
        let tiny = "<r>" + String(repeating: "<a/>", count: (16 << 20) / 4 - 4) + "</r>"
        let deep = String(repeating: "<a>", count: 1_000_000)
        for (name, xml) in [("namespaces", namespaces), ("tiny elements", tiny), ("deep", deep)] {
            let start = Date()
            XCTAssertThrowsError(try reportLimits.check(xml), name)
            XCTAssertLessThan(Date().timeIntervalSince(start), 5, name)
        }
    }
}

/// XML 1.0 (2.2) forbids most C0 control characters, even as character references; text from
/// a host may hold them (an ESC in a host name), and the document must stay readable.
final class XMLForbiddenCharacterTests: XCTestCase {
    func testForbiddenCharactersBecomeVisibleEscapes() throws {
        let hostile = "a\u{1B}[2Jb\u{0}c\u{7}d\u{FFFE}e\tf\ng\u{7F}h\u{9B}i"
        let xml = try XMLKit.serialise(XMLElement("r", attributes: [("v", hostile)], children: [.text(hostile)]))
        XCTAssertFalse(xml.contains("&#x1B;") || xml.contains("&#27;") || xml.contains("&#0;"), xml)
        let back = try XMLKit.parse(xml)
        let expected = "a\\x1b[2Jb\\x00c\\x07d\\u{fffe}e\tf\ng\u{7F}h\u{9B}i"
        XCTAssertEqual(back.text, expected, "TAB, LF, DEL and C1 are allowed by XML 1.0 and kept")
        XCTAssertEqual(XMLKit.xmlSafe("plain é"), "plain é")
    }
}
