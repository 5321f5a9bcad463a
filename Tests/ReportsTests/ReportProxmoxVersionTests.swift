import Foundation
import HostAccess
import Reports
import SRIOVCore
import XCTest

/// Issue 12: the snapshot recorded `pveversion -v` and the report ran plain `pveversion`, so
/// reports made from snapshots never showed the Proxmox version.
final class ReportProxmoxVersionTests: XCTestCase {
    static let verbose = """
        proxmox-ve: 8.2.0 (running kernel: 6.8.12-4-pve)
        pve-manager: 8.2.7 (running version: 8.2.7/3e0176e6bb2ade3b)
        proxmox-kernel-helper: 8.1.0
        qemu-server: 8.2.4

        """

    func testReportOfASnapshotShowsTheRecordedVersion() throws {
        let dir = try ReportFixture.temporaryDirectory()
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let root = dir + "/host"
        try FileManager.default.copyItem(atPath: ReportFixture.repository + "/Resources/sample-host", toPath: root)
        XCTAssertNil(try ReportFixture.report(root: root).host.proxmox, "plain Debian: no pveversion recorded")
        // What `snapshot` records on a Proxmox host.
        let base = root + "/" + RecordedCommandRunner.directory + "/" + RecordedCommandRunner.key(for: ["pveversion", "-v"])
        try Self.verbose.write(toFile: base + ".stdout", atomically: true, encoding: .utf8)
        try "".write(toFile: base + ".stderr", atomically: true, encoding: .utf8)
        try "0\n".write(toFile: base + ".status", atomically: true, encoding: .utf8)
        let report = try ReportFixture.report(root: root)
        XCTAssertEqual(report.host.proxmox, "pve-manager/8.2.7/3e0176e6bb2ade3b (running kernel: 6.8.12-4-pve)")
    }
}
