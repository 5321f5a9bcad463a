import XCTest
import HostAccess
@testable import SRIOVCore

/// Stage 3 on real trees and when there is nothing to look at; each check's own cases are in
/// its file (ARICapabilityCheckTests, VFCapacityCheckTests, DriverSupportCheckTests).
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

    // MARK: - nothing to look at

    func testNoSRIOVDeviceFailsOnceAndTheOthersSkipOnce() throws {
        var nic = PCIFunction(address: PCIAddress("0000:03:00.0")!)
        nic.extendedCapabilitiesKnown = true
        nic.capabilities = [Capability(space: .standard, id: CapabilityID.express, offset: 0xa0)]
        let context = T.context(functions: [nic])
        let sriov = try T.only(SRIOVCapabilityCheck.run(context))
        XCTAssertEqual(sriov.level, .fail)
        XCTAssertEqual(sriov.summary.en, "No SR-IOV capable device found.")
        T.assertContains(sriov.hint.en, "lspci -vv -d ::200 | grep IOV")
        XCTAssertNil(sriov.device)
        for check in T.deviceChecks.dropFirst() + T.activationChecks {
            let results = check.run(context)
            XCTAssertEqual(results.map(\.level), [.skip], check.id)
            XCTAssertNil(results.first?.device, check.id)
        }
        T.assertComplete(T.deviceChecks.flatMap { $0.run(context) } + T.activationChecks.flatMap { $0.run(context) })
    }

    func testUnreadableExtendedConfigWarnsWithRunAsRoot() throws {
        var nic = PCIFunction(address: PCIAddress("0000:03:00.0")!)
        nic.extendedCapabilitiesKnown = false
        let r = try T.only(SRIOVCapabilityCheck.run(T.context(functions: [nic], source: "lspci")))
        XCTAssertEqual(r.level, .warn)
        T.assertContains(r.hint.en, "as root")
        T.assertEvidence(r, "extended configuration space unreadable: 0000:03:00.0")
    }

    func testNonRootPFKnownFromSysfsOnly() throws {
        // 64-byte config reads: the kernel's sysfs still names the PF, offsets stay unknown.
        var pf = T.pf(extendedKnown: false)
        pf.ariEnabled = true
        let context = T.context(functions: [pf])
        let sriov = try T.only(SRIOVCapabilityCheck.run(context))
        XCTAssertEqual(sriov.level, .note)
        T.assertContains(sriov.hint.en, "as root")
        XCTAssertEqual(try T.only(ARICapabilityCheck.run(context)).level, .note, "ari_enabled 1 vouches for ARI")
        pf.ariEnabled = nil
        let unknown = try T.only(ARICapabilityCheck.run(T.context(functions: [pf])))
        XCTAssertEqual(unknown.level, .warn)
        T.assertContains(unknown.hint.en, "as root")
    }

    func testChosenDeviceMissingOrWithoutSRIOV() throws {
        let missing = T.context(functions: [T.pf()], device: "0000:09:00.0")
        let r = try T.only(SRIOVCapabilityCheck.run(missing))
        XCTAssertEqual(r.level, .fail)
        XCTAssertEqual(r.device, PCIAddress("0000:09:00.0"))
        XCTAssertEqual(try T.only(VFCapacityCheck.run(missing)).level, .skip)

        var plain = PCIFunction(address: PCIAddress("0000:05:00.0")!)
        plain.extendedCapabilitiesKnown = true
        plain.capabilities = [Capability(space: .extended, id: CapabilityID.aer, offset: 0x100, version: 1)]
        let chosen = T.context(functions: [T.pf(), plain], device: "0000:05:00.0")
        let none = try T.only(SRIOVCapabilityCheck.run(chosen))
        XCTAssertEqual(none.level, .fail)
        T.assertContains(none.summary.en, "0000:05:00.0 has no SR-IOV capability")
        XCTAssertEqual(try T.only(DriverSupportCheck.run(chosen)).level, .skip)

        // A VF chosen: its PF is checked.
        var vf = PCIFunction(address: PCIAddress("0000:01:10.0")!)
        vf.physfn = PCIAddress("0000:01:00.0")
        let viaVF = T.context(functions: [T.pf(numVFs: 1), vf], device: "0000:01:10.0")
        XCTAssertEqual(try T.only(SRIOVCapabilityCheck.run(viaVF)).device, PCIAddress("0000:01:00.0"))
    }
}
