import XCTest
import HostAccess
@testable import SRIOVCore

/// Stage 3 as a whole on real trees; each check's own cases are in its file
/// (SRIOVCapabilityCheckTests, ARICapabilityCheckTests, VFCapacityCheckTests,
/// DriverSupportCheckTests).
final class DeviceChecksTests: XCTestCase {
    typealias T = VFCheckTrees

    // MARK: - real trees

    func testSampleHostIgb() throws {
        let context = try T.context(T.sampleHost)
        let sriov = try T.only(SRIOVCapabilityCheck.run(context))
        XCTAssertEqual(sriov.level, .pass)
        XCTAssertEqual(sriov.device, PCIAddress("0000:01:00.0"))
        T.assertContains(sriov.summary.en, "[160 v1]")
        T.assertEvidence(sriov, "/sys/bus/pci/devices/0000:01:00.0/config: extended capabilities [100 v1] Advanced Error Reporting, [150 v1] Alternative Routing-ID Interpretation (ARI), [160 v1] Single Root I/O Virtualization (SR-IOV)")
        T.assertEvidence(sriov, "/sys/bus/pci/devices/0000:01:00.0/sriov_totalvfs: 7")

        let ari = try T.only(ARICapabilityCheck.run(context))
        XCTAssertEqual(ari.level, .pass)
        T.assertContains(ari.summary.en, "[150 v1]")
        T.assertEvidence(ari, "/sys/bus/pci/devices/0000:01:00.0/ari_enabled: 1")

        let capacity = try T.only(VFCapacityCheck.run(context))
        XCTAssertEqual(capacity.level, .pass)
        T.assertContains(capacity.summary.en, "supports 7 VFs (VF device 8086:10ca")
        T.assertContains(capacity.summary.en, "offset 128, stride 2")
        T.assertEvidence(capacity, "/sys/bus/pci/devices/0000:01:00.0/sriov_totalvfs: TotalVFs 7")
        T.assertEvidence(capacity, "SR-IOV Total VFs 8; the kernel's limit is 7: the igb driver allows at most 7 (pci_sriov_set_totalvfs)")
        T.assertEvidence(capacity, "/sys/bus/pci/devices/0000:01:00.0/sriov_vf_device: 10ca")
        T.assertEvidence(capacity, "VF addresses: 0000:01:10.0 .. 0000:01:11.4")

        let driver = try T.only(DriverSupportCheck.run(context))
        XCTAssertEqual(driver.level, .pass)
        T.assertContains(driver.summary.en, "igb supports SR-IOV")
        T.assertContains(driver.summary.en, "`max_vfs`")
        T.assertContains(driver.summary.en, "VFs use igbvf in Linux")
        T.assertContains(driver.summary.en, "Windows guests need Intel")
        T.assertEvidence(driver, "/sys/bus/pci/devices/0000:01:00.0/driver -> igb")
        T.assertComplete([sriov, ari, capacity, driver])
    }

    func testVFNameComesFromTheInventoryWhenVFsExist() throws {
        var vf = PCIFunction(address: PCIAddress("0000:01:10.0")!)
        vf.vendorID = 0x8086
        vf.deviceID = 0x10ca
        vf.deviceName = "82576 Virtual Function"
        vf.physfn = PCIAddress("0000:01:00.0")
        let context = T.context(functions: [T.pf(numVFs: 1), vf])
        let r = try T.only(VFCapacityCheck.run(context))
        T.assertContains(r.summary.en, "VF device 8086:10ca (82576 Virtual Function)")
    }

    func testNVMeCaptureHasBothCapabilitiesAndNeedsNoKnowledgeEntry() throws {
        guard let root = try T.labRoot(T.labCaptures + "/igb-nvme/before", label: "nvme-before") else {
            throw XCTSkip("no igb-nvme capture")
        }
        defer { ScratchTree.remove(root) }
        let context = try T.context(root, knowledge: try T.knowledge(drivers: #"{"drivers": []}"#))
        let sriov = try T.only(SRIOVCapabilityCheck.run(context), "0000:02:00.0")
        XCTAssertEqual(sriov.level, .pass)
        T.assertContains(sriov.summary.en, "[120")
        let ari = try T.only(ARICapabilityCheck.run(context), "0000:02:00.0")
        XCTAssertEqual(ari.level, .pass)
        T.assertContains(ari.summary.en, "[100")
        let capacity = try T.only(VFCapacityCheck.run(context), "0000:02:00.0")
        T.assertContains(capacity.summary.en, "supports 4 VFs")
        T.assertEvidence(capacity, "VF addresses: 0000:02:00.1 .. 0000:02:00.4")
        let driver = try T.only(DriverSupportCheck.run(context), "0000:02:00.0")
        XCTAssertEqual(driver.level, .note)
        T.assertContains(driver.summary.en, "sysfs sriov_numvfs should work")
        T.assertContains(driver.hint.en, "echo 4 > /sys/bus/pci/devices/0000:02:00.0/sriov_numvfs")
        XCTAssertEqual(DriverSupportCheck.run(context).count, 2, "igb and nvme PFs")
    }
}
