import XCTest
import HostAccess
@testable import SRIOVCore

/// `vfs-enabled`: whether the PF has VFs now, and the remedy that creates them.
final class VFsEnabledCheckTests: XCTestCase {
    typealias T = VFCheckTrees

    func testFewerVFsThanTotalIsANoteAndAConfiguredOptionNotInEffectIsNamed() throws {
        let root = try vfsHost("enabled")
        try T.write(root, "/sys/bus/pci/devices/0000:01:00.0/sriov_numvfs", "3\n")
        let fewer = try run(VFsEnabledCheck.self, root)
        XCTAssertEqual(fewer.level, .note)
        T.assertContains(fewer.hint.en, "first `echo 0 > /sys/bus/pci/devices/0000:01:00.0/sriov_numvfs`")

        let off = try T.copy(T.sampleHost, label: "enabled-off")
        defer { ScratchTree.remove(off) }
        try T.write(off, "/etc/modprobe.d/sriov.conf", "options igb max_vfs=7\n")
        let r = try run(VFsEnabledCheck.self, off)
        XCTAssertEqual(r.level, .fail)
        T.assertContains(r.hint.en, "`options igb max_vfs=7` is configured (/etc/modprobe.d/sriov.conf:1) but not in effect")
        let persistent = try run(VFsPersistentCheck.self, off)
        XCTAssertEqual(persistent.level, .note, "configured for the next boot")
    }

    /// The wizard's offer and the hint come from the same planner value.
    func testOfferedRemediesAreThePlannersAndTheHintsSayThem() throws {
        let context = try VFCheckTrees.context(VFCheckTrees.sampleHost)
        let stage = verifyStages(context).first { $0.id == .activation }!
        let offered = Remedies.offered(for: stage, context: context)
        XCTAssertEqual(offered.map(\.arguments), [["--device", "0000:01:00.0", "--vfs", "7"]])
        let planned = try VFPlanner.remedy(device: try XCTUnwrap(PCIAddress("0000:01:00.0")), count: 7, context: context)
        XCTAssertEqual(offered.first, planned)
        let enabled = try VFCheckTrees.only(VFsEnabledCheck.run(context))
        XCTAssertTrue(enabled.hint.en.hasPrefix(planned.hint.en), enabled.hint.en)
        XCTAssertTrue(enabled.hint.es.hasPrefix(planned.hint.es), enabled.hint.es)
    }
}
