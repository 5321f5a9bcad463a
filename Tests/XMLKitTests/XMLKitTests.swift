import Dispatch
import Foundation
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

    /// `<r id="..."><n>INT</n>...</r>` in the namespace urn:t.
    static let xsd = """
        <?xml version="1.0"?>
        <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t" xmlns="urn:t" elementFormDefault="qualified">
          <xs:element name="r"><xs:complexType><xs:sequence>
            <xs:element name="n" type="xs:int" maxOccurs="unbounded"/>
          </xs:sequence><xs:attribute name="id" type="xs:string"/></xs:complexType></xs:element>
        </xs:schema>
        """

    func testSchemaValidation() throws {
        let xsd = Self.xsd
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

    /// `collect` reads reports on all cores with one compiled schema (XMLSchema is shared,
    /// each validation has its own context). Every thread builds, serialises, validates,
    /// parses and reads back its own document, and some are invalid or malformed, so the
    /// error callbacks run concurrently too. `bash Scripts/sanitizers.sh thread` runs this
    /// under ThreadSanitizer; here it also checks that each thread gets its own answers.
    func testConcurrentUseWithOneSharedSchema() throws {
        let schema = try XMLSchema(Self.xsd)
        let iterations = 200
        let answers = Answers(count: iterations)
        DispatchQueue.concurrentPerform(iterations: iterations) { i in
            let answer: String
            do {
                let value = i % 5 == 0 ? "not-a-number-\(i)" : String(i)
                let xml = try XMLKit.serialise(XMLElement("r", attributes: [("id", "t<\(i)>")], children: [.element(XMLElement("n", text: value))]), namespace: "urn:t")
                if i % 7 == 0 {
                    _ = try XMLKit.parse(String(xml.dropLast(3)))  // malformed: cut end tag
                    answer = "parsed a cut document"
                } else {
                    let element = try schema.read(xml, limit: 1 << 16, root: "r", namespace: "urn:t")
                    answer = "\(element.attribute("id") ?? "")=\(element.elements("n").first?.text ?? "")"
                }
            } catch let error as XMLKitError {
                switch error {
                case .schemaRejected(_, let message): answer = message.contains("not-a-number-\(i)") ? "rejected" : "wrong message: \(message)"
                case .malformed: answer = "malformed"
                default: answer = "\(error)"
                }
            } catch {
                answer = "\(error)"
            }
            answers.set(i, answer)
        }
        for (i, answer) in answers.values.enumerated() {
            let expected = i % 7 == 0 ? "malformed" : (i % 5 == 0 ? "rejected" : "t<\(i)>=\(i)")
            XCTAssertEqual(answer, expected, "thread work item \(i)")
        }
    }
}

/// One answer per work item, written from concurrent threads.
private final class Answers: @unchecked Sendable {
    private var slots: [String?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: String) { lock.withLock { slots[i] = value } }
    var values: [String?] { lock.withLock { slots } }
}
