import XCTest
@testable import XMLKit

final class XMLKitTests: XCTestCase {
    func testSerialisationEscapesAndRoundTrips() throws {
        let tricky = "a < b && c > \"d\" 'e' ]]> \u{00e9}"
        let root = XMLElement("report", attributes: [("host", tricky)], children: [
            .element(XMLElement("summary", text: tricky)),
            .element(XMLElement("empty")),
        ])
        let xml = try XMLKit.serialise(root, namespace: "urn:test")
        XCTAssertTrue(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"))
        XCTAssertTrue(xml.contains("xmlns=\"urn:test\""))
        XCTAssertTrue(xml.contains("a &lt; b &amp;&amp; c &gt;"))
        let parsed = try XMLKit.parse(xml)
        XCTAssertEqual(parsed.name, "report")
        XCTAssertEqual(parsed.attribute("host"), tricky)
        XCTAssertEqual(parsed.elements("summary").first?.text, tricky)
    }

    func testMalformedInputGivesALine() {
        XCTAssertThrowsError(try XMLKit.parse("<a>\n<b>\n</a>")) { error in
            guard case .malformed(let line, _) = error as? XMLKitError else { return XCTFail("\(error)") }
            XCTAssertEqual(line, 3)
        }
        XCTAssertThrowsError(try XMLKit.parse(""))
    }

    func testEntityDeclarationsAreRefused() {
        let xxe = """
        <?xml version="1.0"?>
        <!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
        <r>&x;</r>
        """
        XCTAssertThrowsError(try XMLKit.parse(xxe)) { error in
            XCTAssertFalse("\(error)".contains("root:"))
        }
    }

    func testSchemaValidation() throws {
        let xsd = """
        <?xml version="1.0"?>
        <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t" xmlns="urn:t" elementFormDefault="qualified">
          <xs:element name="r"><xs:complexType><xs:sequence>
            <xs:element name="n" type="xs:int" maxOccurs="unbounded"/>
          </xs:sequence></xs:complexType></xs:element>
        </xs:schema>
        """
        let good = try XMLKit.serialise(XMLElement("r", children: [.element(XMLElement("n", text: "7"))]), namespace: "urn:t")
        XCTAssertNoThrow(try XMLKit.validate(good, schema: xsd))
        let bad = try XMLKit.serialise(XMLElement("r", children: [.element(XMLElement("n", text: "seven"))]), namespace: "urn:t")
        XCTAssertThrowsError(try XMLKit.validate(bad, schema: xsd)) { error in
            guard case .schemaRejected(let line, let message) = error as? XMLKitError else { return XCTFail("\(error)") }
            XCTAssertEqual(line, 3)
            XCTAssertTrue(message.contains("seven"), message)
        }
        XCTAssertThrowsError(try XMLKit.validate(good, schema: "<notaschema/>"))
    }

    func testVersionIsKnown() {
        XCTAssertTrue(XMLKit.libxmlVersion.hasPrefix("2."))
    }
}
