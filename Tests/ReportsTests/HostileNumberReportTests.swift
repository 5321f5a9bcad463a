import Foundation
import HostAccess
import Reports
import SRIOVCore
import SyntheticTreeSupport
import XCTest

/// Numbers from a host (or a crafted snapshot) end in a warning that names the file and the
/// bytes, never in a crash or an "internal error" from the report's own schema check.
final class HostileNumberReportTests: XCTestCase {
    private var root = ""
    private let pf = "/sys/bus/pci/devices/0000:01:00.0"

    override func setUpWithError() throws {
        root = try ReportFixture.temporaryDirectory()
        try SyntheticTree.write(to: root, pfs: 1, vfsPerPF: 2)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: root)
    }

    private func put(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: root + pf + "/" + name))
    }

    /// The values of issue 11 (each crashed `check`/`report` or made the report fail its own
    /// schema check before), written into each of the four 16-bit SR-IOV registers' files.
    static let absurd: [(bytes: [UInt8], shown: String)] = [
        (Array("9223372036854775807\n".utf8), "\"9223372036854775807\\n\""),
        (Array("4294967296\n".utf8), "\"4294967296\\n\""),
        (Array("-1\n".utf8), "\"-1\\n\""),
        (Array("99999999999".utf8), "\"99999999999\""),
        (Array("7\n\n\n".utf8), "\"7\\n\\n\\n\""),
        (Array("65536\n".utf8), "\"65536\\n\""),
        ([0xff, 0x1b, 0x5b, 0x32, 0x4a, 0x00, 0x0a], "\"\\xff\\x1b[2J\\x00\\n\""),
        ([], "\"\""),
    ]

    func testAbsurdTotalVFsIsAWarningNamingTheFileAndTheReportIsValid() throws {
        for (bytes, shown) in Self.absurd {
            try put("sriov_totalvfs", bytes)
            let report = try within(60) { try ReportFixture.report(root: self.root) }
            let check = try XCTUnwrap(report.stages.flatMap(\.checks).first { $0.id == "vf-capacity" }, shown)
            XCTAssertEqual(check.level, .warn, shown)
            let line = try XCTUnwrap(check.evidence.first { $0.contains(pf + "/sriov_totalvfs: invalid value") }, "\(shown): \(check.evidence)")
            XCTAssertTrue(line.contains(shown), "\(line) should show \(shown)")
            XCTAssertTrue(report.issues.contains { $0.path == pf + "/sriov_totalvfs" && $0.message.contains(shown) }, shown)
            XCTAssertNil(report.devices.first?.sriov?.totalVFs, "\(shown) is not a TotalVFs")
            let xml = try ReportXML.render(report)
            XCTAssertNoThrow(try ReportXML.read(xml), shown)
            XCTAssertNoThrow(try ReportHTML.render(report), shown)
        }
    }

    func testAbsurdNumVFsOffsetAndStrideAreWarningsAndTheReportIsValid() throws {
        for name in ["sriov_numvfs", "sriov_offset", "sriov_stride"] {
            for (bytes, shown) in Self.absurd {
                try SyntheticTree.write(to: root, pfs: 1, vfsPerPF: 2)
                try put(name, bytes)
                let report = try within(60) { try ReportFixture.report(root: self.root) }
                let check = try XCTUnwrap(report.stages.flatMap(\.checks).first { $0.id == "vf-capacity" })
                XCTAssertEqual(check.level, .warn, "\(name) = \(shown)")
                XCTAssertTrue(check.summary.contains("no valid number"), check.summary)
                XCTAssertTrue(check.evidence.contains { $0.contains(pf + "/" + name + ": invalid value " + shown) }, "\(name): \(check.evidence)")
                XCTAssertNoThrow(try ReportXML.read(try ReportXML.render(report)), "\(name) = \(shown)")
            }
        }
    }

    /// The largest values the registers can hold are values, not errors, and do not allocate
    /// 65,535 addresses' worth of trouble: offset 65535 puts VF 0 past bus 255.
    func testLargestRegisterValuesAreAccepted() throws {
        try put("sriov_totalvfs", Array("65535\n".utf8))
        try put("sriov_offset", Array("65535\n".utf8))
        try put("sriov_stride", Array("65535\n".utf8))
        let report = try within(60) { try ReportFixture.report(root: self.root) }
        XCTAssertEqual(report.devices.first?.sriov?.totalVFs, 65535)
        XCTAssertEqual(report.devices.first?.sriov?.vfOffset, 65535)
        XCTAssertFalse(report.issues.contains { $0.path.contains("sriov_") }, "\(report.issues)")
        XCTAssertNoThrow(try ReportXML.read(try ReportXML.render(report)))
    }

    /// 4,000 PFs listed in one summary (as sriov-bios-setting does) are about 120,000
    /// characters: the schema's old 65,536-character limit on text made that an internal error.
    func testSummaryOfFourThousandPFsIsAValidReport() throws {
        var report = try ReportFixture.report(root: root)
        let list = (0..<4000).map { "0000:\(String($0 / 32 + 1, radix: 16)):\(String($0 % 32, radix: 16)).0 (up to 64 VFs)" }.joined(separator: ", ")
        report.stages[1].checks[0].summary = "SR-IOV is usable with this firmware: the kernel offers VFs on " + list + "."
        XCTAssertGreaterThan(report.stages[1].checks[0].summary.count, 65536)
        let xml = try ReportXML.render(report)
        XCTAssertEqual(try ReportXML.read(xml).stages[1].checks[0].summary, report.stages[1].checks[0].summary)
    }

    /// Names from the host go into 1-1024-character fields: an empty or 5,000-character host
    /// name, or an ESC in it, must still give a valid report.
    func testHostileHostNamesGiveAValidReport() throws {
        try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
        for name in ["", String(repeating: "h", count: 5000), "pve\u{1B}]0;owned\u{07}\u{1B}[2J1", "nul\u{0}byte"] {
            try (name + "\n").write(toFile: root + "/etc/hostname", atomically: false, encoding: .utf8)
            let report = try ReportFixture.report(root: root)
            let xml = try ReportXML.render(report)
            let back = try ReportXML.read(xml)
            XCTAssertLessThanOrEqual(back.host.hostname?.count ?? 0, 1024)
            if name.hasPrefix("pve") { XCTAssertEqual(back.host.hostname, "pve\\x1b]0;owned\\x07\\x1b[2J1", "visible, not raw") }
            XCTAssertFalse(xml.contains("&#x1B;") || xml.contains("&#27;"), "no character reference XML 1.0 forbids")
        }
    }

    private func within<T>(_ seconds: Double, _ body: () throws -> T) throws -> T {
        let start = Date()
        let value = try body()
        XCTAssertLessThan(Date().timeIntervalSince(start), seconds)
        return value
    }
}
