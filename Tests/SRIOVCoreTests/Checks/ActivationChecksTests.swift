import XCTest
import HostAccess
@testable import SRIOVCore

/// Stage 4 checks on the lab-made sample hosts, copies of them changed by hand, and the lab's
/// igb-nvme capture.
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

    // MARK: - vf-driver-bound

    func testUnboundVFsWithAndWithoutAutoprobeAndVfioBinding() throws {
        let root = try vfsHost("bound")
        T.remove(root, "/sys/bus/pci/devices/0000:01:10.0/driver")
        try T.link(root, "/sys/bus/pci/devices/0000:01:10.2/driver", "../../../../bus/pci/drivers/vfio-pci")
        let r = try run(VFDriverBoundCheck.self, root)
        XCTAssertEqual(r.level, .warn)
        T.assertContains(r.summary.en, "1 of 7 VFs")
        T.assertContains(r.summary.en, "(5 to igbvf, 1 to vfio-pci (ready for passthrough))")
        T.assertContains(r.hint.en, "`echo igbvf > /sys/bus/pci/devices/0000:01:10.0/driver_override; echo 0000:01:10.0 > /sys/bus/pci/drivers_probe`")

        try T.write(root, "/etc/modprobe.d/blacklist-igbvf.conf", "blacklist igbvf\n")
        T.assertContains(try run(VFDriverBoundCheck.self, root).hint.en, "blacklisted at /etc/modprobe.d/blacklist-igbvf.conf:1")

        try T.write(root, "/sys/bus/pci/devices/0000:01:00.0/sriov_drivers_autoprobe", "0\n")
        let noAutoprobe = try run(VFDriverBoundCheck.self, root)
        T.assertContains(noAutoprobe.summary.en, "sriov_drivers_autoprobe is 0")

        let passthrough = try run(VFPassthroughCheck.self, root)
        XCTAssertFalse(passthrough.hint.en.contains("0000:01:10.0,"), "an unbound VF is not offered")
        T.assertContains(passthrough.hint.en, "0000:01:10.2,pcie=1")
    }

    // MARK: - vf-iommu-groups

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

    // MARK: - vf-passthrough

    func testVMConfigsAndMappingsTakeVFsOutOfTheFreeList() throws {
        let root = try vfsHost("passthrough")
        try T.write(root, "/etc/pve/qemu-server/101.conf", "machine: q35\nhostpci0: 0000:01:10.0,pcie=1\n")
        try T.write(root, "/etc/pve/qemu-server/102.conf", "hostpci0: 01:10.2;01:10.4\nhostpci1: mapping=igb-vfs,pcie=1\n[snap]\nhostpci2: 01:11.2\n")
        try T.write(root, "/etc/pve/mapping/pci.cfg", "igb-vfs\n\tmap id=8086:10ca,node=sriov-lab,path=0000:01:11.0\n")
        let r = try run(VFPassthroughCheck.self, root)
        XCTAssertEqual(r.level, .note)
        T.assertContains(r.summary.en, "3 VFs of 0000:01:00.0 (igb, enp1s0) are free to pass to a VM (4 already in use)")
        T.assertEvidence(r, "/etc/pve/qemu-server/101.conf:2: hostpci0: 0000:01:10.0,pcie=1 (VM 101)")
        T.assertEvidence(r, "/etc/pve/mapping/pci.cfg:2: 0000:01:11.0 in resource mapping 'igb-vfs' (used by VM 102)")
        XCTAssertFalse(r.hint.en.contains("0000:01:10.4,"))
        T.assertContains(r.hint.en, "`qm set VMID -hostpci0 0000:01:11.2,pcie=1`")

        try T.write(root, "/etc/pve/qemu-server/103.conf", "hostpci0: 01:10.6\nhostpci1: 01:11\n")
        XCTAssertEqual(try run(VFPassthroughCheck.self, root).level, .pass, "all in use")
    }

    /// Each outcome of "what is configured": one result per VF a VM or mapping names.
    private func vfResult(_ root: String, _ vf: String, file: StaticString = #filePath, line: UInt = #line) throws -> CheckResult {
        let results = VFPassthroughCheck.run(try T.context(root))
        T.assertComplete(results, file: file, line: line)
        return try T.only(results, vf, file: file, line: line)
    }

    func testAVFPassedToOneVMPassesNamingTheVM() throws {
        let root = try vfsHost("pt-pass")
        try T.write(root, "/etc/pve/qemu-server/101.conf", "machine: q35\nname: debian\nostype: l26\nhostpci0: 0000:01:10.0,pcie=1\n")
        let r = try vfResult(root, "0000:01:10.0")
        XCTAssertEqual(r.level, .pass)
        XCTAssertEqual(r.summary.en, "VF 0000:01:10.0 (enp1s0v0) is passed to VM 101 'debian' (hostpci0).")
        T.assertEvidence(r, "/etc/pve/qemu-server/101.conf: name debian, ostype l26, machine q35, state unknown")
        XCTAssertEqual(try run(VFPassthroughCheck.self, root).level, .note, "the PF's summary still offers the 6 free VFs")
        XCTAssertEqual(try VFPassthroughCheck.run(T.context(root)).count, 2)
    }

    func testAVFInTwoVMConfigsOrAVMAndAMappingFails() throws {
        let root = try vfsHost("pt-twice")
        try T.write(root, "/etc/pve/qemu-server/101.conf", "machine: q35\nname: a\nhostpci0: 0000:01:10.2,pcie=1\n")
        try T.write(root, "/etc/pve/qemu-server/102.conf", "machine: q35\nname: b\nhostpci0: 01:10.0\nhostpci1: 01:10.2,pcie=1\n")
        let r = try vfResult(root, "0000:01:10.2")
        XCTAssertEqual(r.level, .fail)
        T.assertContains(r.summary.en, "is given twice: to VM 101 'a' (hostpci0) and to VM 102 'b' (hostpci1)")
        T.assertContains(r.hint.en, "`qm set 102 -hostpci1 0000:01:10.4,pcie=1`")
        XCTAssertEqual(try vfResult(root, "0000:01:10.0").level, .pass)

        try T.write(root, "/etc/pve/mapping/pci.cfg", "igb-vfs\n\tmap id=8086:1520,iommugroup=6,node=sriov-lab,path=0000:01:10.0\n")
        let mapped = try vfResult(root, "0000:01:10.0")
        XCTAssertEqual(mapped.level, .fail)
        T.assertContains(mapped.summary.en, "to VM 102 'b' (hostpci0) and to resource mapping 'igb-vfs' (no VM uses it yet)")
        T.assertEvidence(mapped, "/etc/pve/mapping/pci.cfg:2: 0000:01:10.0 in resource mapping 'igb-vfs'")
    }

    func testPCIeOnI440fxFailsWithTheLineWithoutIt() throws {
        let root = try vfsHost("pt-i440fx")
        try T.write(root, "/etc/pve/qemu-server/101.conf", "name: old\nostype: l26\nhostpci0: 0000:01:10.4,pcie=1,rombar=0\n")
        let r = try vfResult(root, "0000:01:10.4")
        XCTAssertEqual(r.level, .fail)
        T.assertContains(r.summary.en, "i440fx")
        T.assertContains(r.hint.en, "`qm set 101 -hostpci0 0000:01:10.4,rombar=0`")
        T.assertContains(r.hint.en, "`qm set 101 -machine q35`")
        try T.write(root, "/etc/pve/qemu-server/101.conf", "machine: pc-i440fx-8.1\nhostpci0: 0000:01:10.4,rombar=0\n")
        XCTAssertEqual(try vfResult(root, "0000:01:10.4").level, .pass, "no pcie=1 on i440fx is fine")
        // Through a mapping: the VM's line says pcie=1.
        try T.write(root, "/etc/pve/qemu-server/101.conf", "machine: pc-i440fx-8.1\nhostpci0: mapping=igb-vfs,pcie=1\n")
        try T.write(root, "/etc/pve/mapping/pci.cfg", "igb-vfs\n\tmap id=8086:1520,node=sriov-lab,path=0000:01:10.4\n")
        XCTAssertEqual(try vfResult(root, "0000:01:10.4").level, .fail)
    }

    func testMissingHostPCIAddressFails() throws {
        let root = try vfsHost("pt-missing")
        try T.write(root, "/etc/pve/qemu-server/101.conf", "machine: q35\nhostpci0: 0000:01:12.0,pcie=1\nhostpci1: 0000:05:00.0\n")
        let r = try vfResult(root, "0000:01:12.0")
        XCTAssertEqual(r.level, .fail)
        T.assertContains(r.summary.en, "does not exist on this host")
        T.assertEvidence(r, "/etc/pve/qemu-server/101.conf:2: hostpci0: 0000:01:12.0,pcie=1 (VM 101)")
        XCTAssertEqual(try VFPassthroughCheck.run(T.context(root)).filter { $0.device == PCIAddress("0000:05:00.0") }.count, 0,
                       "another bus is not this PF's business")

        // After a reboot without persistence: no VFs, the VM still names one.
        let none = try T.copy(T.sampleHost, label: "pt-missing-novfs")
        addTeardownBlock { ScratchTree.remove(none) }
        try T.write(none, "/etc/pve/qemu-server/101.conf", "machine: q35\nhostpci0: 0000:01:10.0,pcie=1\n")
        let results = VFPassthroughCheck.run(try T.context(none))
        XCTAssertEqual(try T.only(results, "0000:01:10.0").level, .fail)
        XCTAssertEqual(try T.only(results, Self.pf).level, .skip)
    }

    func testThePFInAVMFails() throws {
        let root = try vfsHost("pt-pf")
        try T.write(root, "/etc/pve/qemu-server/101.conf", "machine: q35\nhostpci0: 0000:01:00.0,pcie=1\n")
        let r = try run(VFPassthroughCheck.self, root)
        XCTAssertEqual(r.level, .fail)
        T.assertContains(r.summary.en, "passes the PF 0000:01:00.0 itself while it has 7 VFs")
    }

    func testAWindowsVMWithAVFWarnsNamingItsDriver() throws {
        let root = try vfsHost("pt-windows")
        try T.write(root, "/etc/pve/qemu-server/110.conf", "bios: ovmf\nmachine: pc-q35-8.1\nname: win11\nostype: win11\nhostpci0: 0000:01:11.4,pcie=1\n")
        let r = try vfResult(root, "0000:01:11.4")
        XCTAssertEqual(r.level, .warn)
        T.assertContains(r.summary.en, "VM 110 'win11' runs Windows")
        T.assertContains(r.hint.en, "Inside VM 110 'win11' install Intel Ethernet Adapter Complete Driver Pack")
        T.assertContains(r.hint.es, "Dentro de VM 110 'win11' instale Intel Ethernet Adapter Complete Driver Pack")
        T.assertContains(r.hint.en, "https://www.intel.com/")
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
