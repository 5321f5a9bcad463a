import XCTest
@testable import SRIOVCore

/// The knowledge files are read by `JSONReader` and mapped by hand (issue 15: `JSONDecoder`
/// was a tenth of `check` on a small host). Both decoders must give the same values and refuse
/// the same files.
final class KnowledgeReaderTests: XCTestCase {
    let bios = PackageResources.bios_vendors_json
    let drivers = PackageResources.drivers_json

    func testReaderGivesWhatJSONDecoderGives() throws {
        let fast = try Knowledge(biosJSON: bios, driversJSON: drivers)
        let codable = try Knowledge(decodingBIOSJSON: bios, driversJSON: drivers)
        XCTAssertEqual(fast.biosVendors, codable.biosVendors)
        XCTAssertEqual(fast.drivers, codable.drivers)
        XCTAssertEqual(fast.biosChecked, codable.biosChecked)
        XCTAssertEqual(fast.driversChecked, codable.driversChecked)
        XCTAssertFalse(fast.biosVendors.isEmpty)
        XCTAssertFalse(fast.drivers.isEmpty)
    }

    /// Small files exercising every member: optional ones missing, `null` and present.
    func testEveryMemberKindAgreesWithJSONDecoder() throws {
        let b = #"""
        {"checked": "2026-01-01", "extra": [1, {"x": null}], "vendors": [
          {"id": "a", "name": "A \"quoted\" \u00e9\ud83d\ude00 \/ \n", "match": ["a", "b"], "notes": null, "sources": [],
           "settings": {"sriov": {"paths": [["X", "Y"], []], "value": "Enabled", "note": {"en": "e", "es": "s"}},
                        "iommu.amd": {"paths": [], "value": null}}},
          {"id": "generic", "name": "G", "match": [], "settings": {}, "notes": {"en": "n", "es": "ñ"}, "sources": ["s"]}]}
        """#
        let d = #"""
        {"checked": "2026-01-02", "drivers": [
          {"name": "x", "aliases": ["y"], "vendor": "V", "sriov": true, "method": "sysfs", "driverMaxVFs": 63,
           "windowsDriver": {"name": "W", "url": null}, "sources": ["s"], "unknown": 15},
          {"name": "z", "aliases": [], "vendor": "V", "devices": "D", "sriov": false, "method": "moduleOption",
           "moduleOption": "max_vfs", "vfDriver": "zvf", "driverMaxVFs": -1, "firmwareNote": {"en": "f", "es": "f"},
           "vfQueues": {"en": "q", "es": "q"}, "notes": {"en": "n", "es": "n"}, "sources": []}]}
        """#
        let fast = try Knowledge(biosJSON: Array(b.utf8), driversJSON: Array(d.utf8))
        let codable = try Knowledge(decodingBIOSJSON: Array(b.utf8), driversJSON: Array(d.utf8))
        XCTAssertEqual(fast.biosVendors, codable.biosVendors)
        XCTAssertEqual(fast.drivers, codable.drivers)
        XCTAssertEqual(fast.biosVendors.first?.name, "A \"quoted\" é😀 / \n")
        XCTAssertEqual(fast.drivers.last?.driverMaxVFs, -1)
    }

    /// A key given twice in one object: the first one counts, as with `JSONDecoder` here.
    func testDuplicateKeysKeepTheFirstAsJSONDecoderDoes() throws {
        let b = #"{"checked": "2025-01-01", "vendors": [], "checked": "2026-03-04"}"#
        let d = #"""
        {"checked": "2026-01-02", "drivers": [{"name": "first", "aliases": [], "vendor": "V", "sriov": true,
          "method": "sysfs", "sources": [], "name": "last", "driverMaxVFs": 7, "driverMaxVFs": 8}]}
        """#
        let fast = try Knowledge(biosJSON: Array(b.utf8), driversJSON: Array(d.utf8))
        let codable = try Knowledge(decodingBIOSJSON: Array(b.utf8), driversJSON: Array(d.utf8))
        XCTAssertEqual(fast.biosChecked, codable.biosChecked)
        XCTAssertEqual(fast.drivers, codable.drivers)
        XCTAssertEqual(fast.biosChecked, "2025-01-01")
        XCTAssertEqual(fast.drivers.first?.name, "first")
        XCTAssertEqual(fast.drivers.first?.driverMaxVFs, 7)
    }

    /// Files `JSONDecoder` refuses are refused by the reader too (the reader is stricter still:
    /// `JSONDecoder` takes a trailing comma, the reader does not; see `testReaderValues`).
    func testReaderRefusesWhatJSONDecoderRefuses() {
        let goodDriver = #"{"name": "x", "aliases": [], "vendor": "V", "sriov": true, "method": "sysfs", "sources": []}"#
        let biosFiles = [
            #"{"vendors": []}"#,                                   // no checked date
            #"{"checked": null, "vendors": []}"#,
            #"{"checked": 20260101, "vendors": []}"#,
            #"{"checked": "2026-01-01", "vendors": {}}"#,
            #"{"checked": "2026-01-01", "vendors": [{"id": "a", "name": "A", "match": "a", "settings": {}, "sources": []}]}"#,
            #"{"checked": "2026-01-01", "vendors": [{"id": "a", "name": "A", "match": [], "settings": {"s": {"value": "x"}}, "sources": []}]}"#,
            #"{"checked": "2026-01-01", "vendors": [{"id": "a", "name": "A", "match": [], "settings": {}, "notes": {"en": "e"}, "sources": []}]}"#,
            #"{"checked": "2026-01-01", "vendors": []} x"#,
            #"{"checked": "2026-01-01", "vendors": [] "#,
            #"{"checked": "2026-01-01\u", "vendors": []}"#,
            #"{"checked": "\ud800", "vendors": []}"#,
            "{\"checked\": \"a\tb\", \"vendors\": []}",               // raw control character
            #"{'checked': "2026-01-01", "vendors": []}"#,
        ]
        for file in biosFiles {
            let bytes = Array(file.utf8)
            XCTAssertThrowsError(try Knowledge(decodingBIOSJSON: bytes, driversJSON: drivers), "JSONDecoder accepted \(file)")
            XCTAssertThrowsError(try Knowledge(biosJSON: bytes, driversJSON: drivers), "the reader accepted \(file)")
        }
        let driverFiles = [
            goodDriver.replacingOccurrences(of: #""method": "sysfs""#, with: #""method": "udev""#),
            goodDriver.replacingOccurrences(of: #""sriov": true"#, with: #""sriov": 1"#),
            goodDriver.replacingOccurrences(of: #""sriov": true, "#, with: ""),
            goodDriver.replacingOccurrences(of: #""vendor": "V""#, with: #""vendor": null"#),
            goodDriver.replacingOccurrences(of: #""sources": []"#, with: #""sources": [], "driverMaxVFs": "7""#),
            goodDriver.replacingOccurrences(of: #""sources": []"#, with: #""sources": [], "windowsDriver": {"url": "u"}"#),
            goodDriver.replacingOccurrences(of: #""sources": []"#, with: #""sources": [], "driverMaxVFs": 99999999999999999999"#),
        ].map { #"{"checked": "2026-01-01", "drivers": ["# + $0 + "]}" }
        for file in driverFiles {
            let bytes = Array(file.utf8)
            XCTAssertThrowsError(try Knowledge(decodingBIOSJSON: bios, driversJSON: bytes), "JSONDecoder accepted \(file)")
            XCTAssertThrowsError(try Knowledge(biosJSON: bios, driversJSON: bytes), "the reader accepted \(file)")
        }
        // Invalid UTF-8 in a string.
        var broken = Array(#"{"checked": "2026-01-01", "vendors": []}"#.utf8)
        broken[13] = 0xff
        XCTAssertThrowsError(try Knowledge(decodingBIOSJSON: broken, driversJSON: drivers))
        XCTAssertThrowsError(try Knowledge(biosJSON: broken, driversJSON: drivers))
    }

    func testReaderValues() throws {
        XCTAssertEqual(try JSONReader.parse(Array(#" [0, -12, true, false, null, "", {}, []] "#.utf8)),
                       .array([.int(0), .int(-12), .bool(true), .bool(false), .null, .string(""), .object([]), .array([])]))
        XCTAssertEqual(try JSONReader.parse(Array(#"{"a": {"b": ["\u0041\t"]}}"#.utf8)),
                       .object([("a", .object([("b", .array([.string("A\t")]))]))]))
        for bad in ["", "01", "1.5", "-", "[1,]", "{\"a\" 1}", "tru", "nul", "\"abc", "[", String(repeating: "[", count: 300)] {
            XCTAssertThrowsError(try JSONReader.parse(Array(bad.utf8)), "accepted \(bad)")
        }
    }
}
