import XCTest
import HostAccess
@testable import SRIOVCore

/// Stage 4 checks on the lab-made sample hosts, copies of them changed by hand, and the lab's
/// igb-nvme capture.
final class ActivationChecksTests: XCTestCase {
    typealias T = VFCheckTrees
    static let pf = "0000:01:00.0"

    /// A copy of sample-host-vfs (7 VFs bound to igbvf, groups 6..12, nothing persistent).
    private func vfsHost(_ label: String) throws -> String {
        let root = try T.copy(T.sampleHostVFs, label: label)
        addTeardownBlock { ScratchTree.remove(root) }
        return root
    }

    private func run<C: Check>(_ check: C.Type, _ root: String, file: StaticString = #filePath, line: UInt = #line) throws -> CheckResult {
        let results = check.run(try T.context(root))
        T.assertComplete(results, file: file, line: line)
        return try T.only(results, Self.pf, file: file, line: line)
    }

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

    // MARK: - vfs-enabled

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

    // MARK: - vfs-persistent

    func testModprobeOptionWithCRLFAndContinuationMakesThemPersistent() throws {
        let root = try vfsHost("persist-modprobe")
        try T.write(root, "/etc/modprobe.d/sriov.conf", "# VFs\r\noptions igb \\\r\n\tmax_vfs=7\r\n")
        let r = try run(VFsPersistentCheck.self, root)
        XCTAssertEqual(r.level, .pass)
        T.assertContains(r.summary.en, "(/etc/modprobe.d/sriov.conf:2)")
        T.assertEvidence(r, "/etc/modprobe.d/sriov.conf:2: options igb max_vfs=7")

        try T.write(root, "/etc/modprobe.d/sriov.conf", "options igb max_vfs=4\n")
        XCTAssertEqual(try run(VFsPersistentCheck.self, root).level, .note, "4 at boot, 7 now")
    }

    func testUdevRuleForThisPFOrAnother() throws {
        let root = try vfsHost("persist-udev")
        try T.write(root, "/etc/udev/rules.d/70-sriov.rules", #"ACTION=="bind", SUBSYSTEM=="pci", KERNEL=="0000:02:00.0", ATTR{sriov_numvfs}="7""# + "\n")
        let other = try run(VFsPersistentCheck.self, root)
        XCTAssertEqual(other.level, .warn)
        T.assertEvidence(other, "(for another device)")

        try T.write(root, "/etc/udev/rules.d/70-sriov.rules", #"ACTION=="add", SUBSYSTEM=="net", ENV{ID_NET_DRIVER}=="igb", RUN+="/bin/sh -c 'echo 7 > /sys/class/net/%k/device/sriov_numvfs'""# + "\n")
        let run1 = try run(VFsPersistentCheck.self, root)
        XCTAssertEqual(run1.level, .pass, "\(run1.evidence)")
        T.assertContains(run1.summary.en, "/etc/udev/rules.d/70-sriov.rules:1")
    }

    func testSysfsutilsAndSystemdUnitAndIfupdown() throws {
        let root = try vfsHost("persist-other")
        try T.write(root, "/etc/sysfs.d/sriov.conf", "bus/pci/devices/0000:01:00.0/sriov_numvfs = 7\n")
        let withoutService = try run(VFsPersistentCheck.self, root)
        XCTAssertEqual(withoutService.level, .note)
        T.assertContains(withoutService.summary.en, "sysfsutils service that applies it was not found")
        try T.write(root, "/etc/init.d/sysfsutils", "#!/bin/sh\n")
        XCTAssertEqual(try run(VFsPersistentCheck.self, root).level, .pass)

        let unit = try vfsHost("persist-unit")
        try T.write(unit, "/etc/systemd/system/sriov-vfs.service",
                    "[Unit]\nDescription=VFs\n\n[Service]\nType=oneshot\nExecStart=/usr/bin/sh -c 'echo 7 > /sys/bus/pci/devices/0000:01:00.0/sriov_numvfs'\n\n[Install]\nWantedBy=multi-user.target\n")
        try T.link(unit, "/etc/systemd/system/multi-user.target.wants/ssh.service", "/lib/systemd/system/ssh.service")
        let disabled = try run(VFsPersistentCheck.self, unit)
        XCTAssertEqual(disabled.level, .note)
        T.assertContains(disabled.summary.en, "`systemctl enable sriov-vfs.service`")
        try T.link(unit, "/etc/systemd/system/multi-user.target.wants/sriov-vfs.service", "/etc/systemd/system/sriov-vfs.service")
        let enabled = try run(VFsPersistentCheck.self, unit)
        XCTAssertEqual(enabled.level, .pass)
        T.assertContains(enabled.summary.en, "/etc/systemd/system/sriov-vfs.service:6")

        let ifup = try vfsHost("persist-ifup")
        try T.write(ifup, "/etc/network/interfaces", "auto enp1s0\niface enp1s0 inet manual\n    post-up echo 7 > /sys/class/net/enp1s0/device/sriov_numvfs\n")
        XCTAssertEqual(try run(VFsPersistentCheck.self, ifup).level, .pass)
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

    // MARK: - vf-mac-addresses

    func testRandomHostMACAndMACsSetOnThePF() throws {
        let root = try vfsHost("macs")
        try T.write(root, "/sys/bus/pci/devices/0000:01:10.0/net/enp1s0v0/addr_assign_type", "1\n")
        let random = try run(VFMACAddressesCheck.self, root)
        XCTAssertEqual(random.level, .note)
        T.assertContains(random.summary.en, "1 of 7 VFs of 0000:01:00.0 (igb, enp1s0) have a random MAC that changes at every boot (enp1s0v0)")
        T.assertEvidence(random, "addr_assign_type: 1 (random)")

        let key = "/sriov-wizard/commands/ip_-d_link_show.stdout"
        var text = try Machine(root: root).readText(key)
        for i in 0..<7 { text = replacingFirstOccurrence(text, "vf \(i)     link/ether 00:00:00:00:00:00", "vf \(i)     link/ether 02:54:00:5a:01:0\(i)") }
        try T.write(root, key, text)
        let set = try run(VFMACAddressesCheck.self, root)
        XCTAssertEqual(set.level, .pass, "\(set.evidence)")
        T.assertEvidence(set, "vf 3 link/ether 02:54:00:5a:01:03")

        // A VF given to vfio-pci has no netdev; without the PF's per-VF list its MAC is unknown.
        let vfio = try vfsHost("macs-vfio")
        _ = try Machine(root: "/").run(["rm", "-rf", vfio + "/sys/bus/pci/devices/0000:01:10.0/net", vfio + key])
        try T.link(vfio, "/sys/bus/pci/devices/0000:01:10.0/driver", "../../../../bus/pci/drivers/vfio-pci")
        let unknown = try run(VFMACAddressesCheck.self, vfio)
        XCTAssertEqual(unknown.level, .note)
        T.assertContains(unknown.summary.en, "1 of 7 VFs")
        T.assertContains(unknown.hint.en, "ip -d link show enp1s0")
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

/// `text` with the first occurrence of `target` replaced.
private func replacingFirstOccurrence(_ text: String, _ target: String, _ replacement: String) -> String {
    guard let range = text.firstRange(of: target) else { return text }
    var s = text
    s.replaceSubrange(range, with: replacement)
    return s
}
