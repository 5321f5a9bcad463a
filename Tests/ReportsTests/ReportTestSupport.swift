import Foundation
import HostAccess
import Reports
import SRIOVCore
import XCTest

/// Builds reports from snapshot trees and checks them with the independent `xmllint`.
enum ReportFixture {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let schemaPath = repository + "/Resources/report/report.xsd"
    static let fixedTime = "2026-01-31T12:00:00Z"

    /// Snapshot trees the report tests run on: the bundled samples and a lab capture.
    static let trees: [(name: String, path: String)] = [
        ("sample-host", repository + "/Resources/sample-host"),
        ("sample-host-vfs", repository + "/Resources/sample-host-vfs"),
        ("igb-noiommu", repository + "/Tests/Fixtures/lab/igb-noiommu/after"),
    ]

    static func report(root: String, language: Language = .en, time: String? = fixedTime) throws -> HostReport {
        let machine = Machine(root: root)
        let context = CheckContext(machine: machine, inventory: try SysfsInventory.load(machine))
        return ReportBuilder.build(context: context, stages: verifyStages(context), language: language, time: time)
    }

    static func redacted(root: String) throws -> HostReport {
        var redactor = Redactor.forMachine(Machine(root: root))
        return redactor.redact(try report(root: root))
    }

    static func temporaryDirectory() throws -> String {
        let dir = NSTemporaryDirectory() + "sriov-wizard-reports-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// `xmllint --noout --schema report.xsd FILE` (libxml2-utils), as a check independent of XMLKit.
    static func assertXmllintValid(_ xml: String, file: StaticString = #filePath, line: UInt = #line) throws {
        guard let xmllint = LiveCommandRunner.resolve("xmllint") else {
            throw XCTSkip("xmllint is not installed (apt-get install libxml2-utils)")
        }
        let path = try temporaryDirectory() + "/report.xml"
        try xml.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try LiveCommandRunner().run([xmllint, "--noout", "--nonet", "--schema", schemaPath, path], timeout: 60, outputLimit: 1 << 20)
        XCTAssertEqual(result.status, 0, result.stderrText, file: file, line: line)
    }
}
