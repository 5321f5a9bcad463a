import XCTest
import HostAccess
@testable import SRIOVCore

/// Stage 4 as a whole on the lab-made sample hosts and the lab's igb-nvme capture; each check's
/// own cases are in its file (VFDriverBoundCheckTests, VFIOMMUGroupsCheckTests,
/// VFPassthroughCheckTests, VFsEnabledCheckTests, ...).
final class ActivationChecksTests: XCTestCase {
    typealias T = VFCheckTrees
    static let pf = "0000:01:00.0"

    // MARK: - the two sample hosts

    func testSampleHostWithoutVFs() throws {
        let context = try T.context(T.sampleHost)
        let enabled = try T.only(VFsEnabledCheck.run(context))
        XCTAssertEqual(enabled.level, .fail)
        T.assertContains(enabled.hint.en, "/etc/modprobe.d/sriov-wizard-igb.conf containing `options igb max_vfs=7`")
        T.assertContains(enabled.hint.en, "`update-initramfs -u -k all`; then reboot")
        T.assertContains(enabled.hint.en, "`echo 7 > /sys/bus/pci/devices/0000:01:00.0/sriov_numvfs`")
        T.assertContains(enabled.hint.en, "`sriov-wizard apply --device 0000:01:00.0 --vfs 7`")
        T.assertEvidence(enabled, "/sys/bus/pci/devices/0000:01:00.0/sriov_numvfs: 0")
        let levels = T.levels(context)
        XCTAssertEqual(levels, [
            "sriov-capability": .pass, "ari-capability": .pass, "vf-capacity": .pass, "driver-support": .pass,
            "vfs-enabled": .fail, "vf-driver-bound": .skip, "vfs-persistent": .skip, "vf-iommu-groups": .skip,
            "vf-mac-addresses": .skip, "vf-passthrough": .skip,
        ])
    }

    func testSampleHostWithSevenVFs() throws {
        let context = try T.context(T.sampleHostVFs)
        let enabled = try T.only(VFsEnabledCheck.run(context))
        XCTAssertEqual(enabled.level, .pass)
        T.assertContains(enabled.summary.en, "has 7 VFs enabled (of 7)")

        let bound = try T.only(VFDriverBoundCheck.run(context))
        XCTAssertEqual(bound.level, .pass)
        T.assertContains(bound.summary.en, "All 7 VFs of 0000:01:00.0 (igb, enp1s0) are bound: 7 to igbvf.")
        T.assertEvidence(bound, "/sys/bus/pci/devices/0000:01:10.0/driver: -> igbvf (enp1s0v0)")

        let persistent = try T.only(VFsPersistentCheck.run(context))
        XCTAssertEqual(persistent.level, .warn)
        T.assertContains(persistent.summary.en, "nothing recreates them at boot")
        T.assertContains(persistent.hint.en, "/etc/modprobe.d/sriov-wizard-igb.conf containing `options igb max_vfs=7`")
        T.assertContains(persistent.hint.en, #"/etc/udev/rules.d/70-sriov-wizard.rules containing `ACTION=="add|bind", SUBSYSTEM=="pci", KERNEL=="0000:01:00.0", ATTR{sriov_numvfs}="7"`"#)
        T.assertEvidence(persistent, "/sys/module/igb/parameters/max_vfs: 0")

        let groups = try T.only(VFIOMMUGroupsCheck.run(context))
        XCTAssertEqual(groups.level, .pass)
        T.assertContains(groups.summary.en, "own IOMMU group (6..12)")

        let macs = try T.only(VFMACAddressesCheck.run(context))
        XCTAssertEqual(macs.level, .note, "udev makes the host MACs stable, but the PF sets none for guests")
        T.assertEvidence(macs, "/sys/bus/pci/devices/0000:01:10.0/net/enp1s0v0/address: 9a:29:63:1c:a2:2d, addr_assign_type: 3 (set)")
        T.assertEvidence(macs, "ip -d link show enp1s0: vf 0 link/ether 00:00:00:00:00:00")
        T.assertContains(macs.hint.en, "`ip link set enp1s0 vf 0 mac 9a:29:63:1c:a2:2d`")

        let pass = try T.only(VFPassthroughCheck.run(context))
        XCTAssertEqual(pass.level, .note)
        T.assertContains(pass.summary.en, "7 VFs of 0000:01:00.0 (igb, enp1s0) are free")
        T.assertContains(pass.hint.en, "`qm set VMID -hostpci0 0000:01:10.0,pcie=1`")
        T.assertContains(pass.hint.en, "`qm set VMID -hostpci0 0000:01:11.4,pcie=1`")
        T.assertContains(pass.hint.en, "Datacenter > Resource Mappings > PCI Devices")
        T.assertContains(pass.hint.en, "Linux uses the in-tree igbvf driver")
        T.assertContains(pass.hint.en, "Windows has no in-box driver for most VFs and needs Intel")
        T.assertComplete([enabled, bound, persistent, groups, macs, pass])
    }

    // MARK: - NVMe capture: VFs that start offline

    func testNVMeVFsOfflineAfterEnablingAndOnlineAfterVirtMgmt() throws {
        guard let after = try T.labRoot(T.labCaptures + "/igb-nvme/after", label: "nvme-after") else {
            throw XCTSkip("no igb-nvme capture")
        }
        defer { ScratchTree.remove(after) }
        let context = try T.context(after)
        let nvme = "0000:02:00.0"
        XCTAssertEqual(try T.only(VFsEnabledCheck.run(context), nvme).level, .pass)
        XCTAssertEqual(try T.only(VFsEnabledCheck.run(context), Self.pf).level, .fail, "igb has no VFs in this capture")
        let bound = try T.only(VFDriverBoundCheck.run(context), nvme)
        XCTAssertEqual(bound.level, .fail)
        T.assertContains(bound.summary.en, "4 of 4 NVMe VFs")
        T.assertContains(bound.summary.en, "not usable")
        T.assertContains(bound.hint.en, "nvme virt-mgmt")
        let pass = try T.only(VFPassthroughCheck.run(context), nvme)
        XCTAssertEqual(pass.level, .warn, "offline VFs are never offered")
        XCTAssertFalse(pass.hint.en.contains("qm set"))
        XCTAssertEqual(try T.only(VFIOMMUGroupsCheck.run(context), nvme).level, .pass)
        XCTAssertEqual(try T.only(VFMACAddressesCheck.run(context), nvme).level, .skip, "NVMe VFs have no MACs")
        T.assertComplete(T.activationChecks.flatMap { $0.run(context) })

        guard let online = try T.labRoot(T.labCaptures + "/igb-nvme/vf-online", label: "nvme-online") else { return }
        defer { ScratchTree.remove(online) }
        let onlineContext = try T.context(online)
        let ready = try T.only(VFDriverBoundCheck.run(onlineContext), nvme)
        XCTAssertEqual(ready.level, .pass)
        T.assertContains(ready.summary.en, "1 to nvme")
        T.assertContains(try T.only(VFPassthroughCheck.run(onlineContext), nvme).hint.en, "`qm set VMID -hostpci0 0000:02:00.1,pcie=1`")
    }

    // MARK: - lab scenario snapshots (Tests/Fixtures/lab), when present

    func testLabScenarioMaxVFs() throws {
        let path = T.labFixtures + "/igb-maxvfs/before"
        guard Machine(root: "/").isDirectory(path + "/sys") else { throw XCTSkip("\(path) not present") }
        let context = try T.context(path)
        let levels = T.levels(context, device: Self.pf)
        XCTAssertEqual(levels["vfs-enabled"], .pass)
        XCTAssertEqual(levels["vf-driver-bound"], .pass)
        XCTAssertEqual(levels["vfs-persistent"], .pass)
        XCTAssertEqual(levels["vf-iommu-groups"], .pass)
        let persistent = try T.only(VFsPersistentCheck.run(context), Self.pf)
        T.assertContains(persistent.summary.en, "/etc/modprobe.d/sriov-lab.conf:")
        T.assertEvidence(persistent, "/sys/module/igb/parameters/max_vfs: 7")
    }
}
