import XCTest
import HostAccess
@testable import SRIOVCore

/// `vf-iommu-groups` (Checks/Activation/VFIOMMUGroupsCheck.swift) on copies of the lab-made
/// sample host with seven VFs, changed by hand.
final class VFIOMMUGroupsCheckTests: XCTestCase {
    typealias T = VFCheckTrees

    func testSharedGroupNamesACSAndNoGroupsPointsToStageOne() throws {
        let root = try vfsHost("groups")
        try T.link(root, "/sys/bus/pci/devices/0000:01:10.2/iommu_group", "../../../../kernel/iommu_groups/6")
        let shared = try run(VFIOMMUGroupsCheck.self, root)
        XCTAssertEqual(shared.level, .warn)
        T.assertContains(shared.summary.en, "share an IOMMU group (6)")
        T.assertEvidence(shared, "-> 6 (with 0000:01:10.2)")
        T.assertEvidence(shared, "port above 0000:00:02.0: ACS [148]")
        T.assertEvidence(shared, "PF 0000:01:00.0: no ACS capability")

        let none = try vfsHost("groups-none")
        _ = try Machine(root: "/").run(["rm", "-rf", none + "/sys/kernel/iommu_groups"])
        for name in try Machine(root: none).list("/sys/bus/pci/devices") { T.remove(none, "/sys/bus/pci/devices/\(name)/iommu_group") }
        let results = VFIOMMUGroupsCheck.run(try T.context(none))
        XCTAssertEqual(results.map(\.level), [.fail])
        T.assertContains(results[0].hint.en, "stage prerequisites: iommu-active")
        let passthrough = try run(VFPassthroughCheck.self, none)
        XCTAssertEqual(passthrough.level, .warn, "no qm set lines while the IOMMU is off")
        XCTAssertFalse(passthrough.hint.en.contains("qm set"))
    }
}
