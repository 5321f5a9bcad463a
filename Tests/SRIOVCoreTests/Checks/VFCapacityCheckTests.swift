import XCTest
import HostAccess
@testable import SRIOVCore

/// `vf-capacity`: TotalVFs from config space, sysfs and the driver's limit.
final class VFCapacityCheckTests: XCTestCase {
    typealias T = VFCheckTrees

    func testZeroTotalVFsFailsWithTheFirmwareNote() throws {
        let knowledge = try T.knowledge(drivers: """
            {"drivers": [{"name": "mlx5_core", "aliases": [], "vendor": "NVIDIA", "sriov": true, "method": "sysfs",
              "vfDriver": "mlx5_core", "firmwareNote": {"en": "Enable SR-IOV in the firmware: mstconfig -d ADDR set SRIOV_EN=1 NUM_OF_VFS=8.", "es": "Active SR-IOV en el firmware: mstconfig -d ADDR set SRIOV_EN=1 NUM_OF_VFS=8."},
              "sources": ["https://docs.nvidia.com"]}]}
            """)
        let context = T.context(functions: [T.pf(driver: "mlx5_core", total: 0)], knowledge: knowledge)
        let capacity = try T.only(VFCapacityCheck.run(context))
        XCTAssertEqual(capacity.level, .fail)
        T.assertContains(capacity.hint.en, "SRIOV_EN=1")
        let driver = try T.only(DriverSupportCheck.run(context))
        XCTAssertEqual(driver.level, .warn)
        T.assertContains(driver.hint.en, "mstconfig")
        T.assertComplete([capacity, driver])
    }

    func testLspciInventoryShowsTheConfigValueAndTheDriverLimit() throws {
        var pf = T.pf(total: 8)
        pf.sriov?.source = "lspci"
        let r = try T.only(VFCapacityCheck.run(T.context(functions: [pf], source: "lspci")))
        T.assertEvidence(r, "lspci: TotalVFs 8")
        T.assertEvidence(r, "the igb driver allows at most 7 VFs")
    }
}
