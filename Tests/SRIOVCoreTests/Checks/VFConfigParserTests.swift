import XCTest
import HostAccess
@testable import SRIOVCore

/// The parsers behind vfs-persistent and vf-passthrough: modprobe.d, udev rules, sysfs.conf,
/// boot commands, Proxmox VM configs, `ip -d link show`.
final class VFConfigParserTests: XCTestCase {
    // MARK: - modprobe.d

    func testModprobeOptionsWithCRLFTabsCommentsContinuationsAndQuotes() {
        let text = "# SR-IOV\r\noptions\tigb max_vfs=7 \\\r\n   debug=2\r\n\r\n  # indented comment\noptions ixgbe max_vfs=\"8,8\" allow_unsupported_sfp\noptions i40e\n"
        let config = ModprobeConfig(files: [("/etc/modprobe.d/sriov.conf", text)])
        let igb = config.option(module: "igb", name: "max_vfs")
        XCTAssertEqual(igb?.value, "7")
        XCTAssertEqual(igb?.location.description, "/etc/modprobe.d/sriov.conf:2")
        XCTAssertEqual(config.option(module: "igb", name: "debug")?.location.line, 2, "a continued line keeps its first line number")
        XCTAssertEqual(config.option(module: "ixgbe", name: "max_vfs")?.value, "8,8")
        XCTAssertNotNil(config.option(module: "ixgbe", name: "allow_unsupported_sfp"))
        XCTAssertNil(config.option(module: "ixgbe", name: "allow_unsupported_sfp")?.value)
        XCTAssertEqual(config.problems.map(\.description), ["/etc/modprobe.d/sriov.conf:7: 'options i40e' without any option"])
    }

    func testModprobeLastSettingWinsAcrossFilesAndDashesMatchUnderscores() {
        let config = ModprobeConfig(files: [
            ("/etc/modprobe.d/a.conf", "options mlx5-core prof_sel=1\noptions igb max_vfs=2\n"),
            ("/etc/modprobe.d/b.conf", "options igb max_vfs=7\nblacklist igbvf\nfrobnicate igb\n"),
        ])
        XCTAssertEqual(config.options(module: "igb", name: "max_vfs").count, 2)
        XCTAssertEqual(config.option(module: "igb", name: "max_vfs")?.location.description, "/etc/modprobe.d/b.conf:1")
        XCTAssertEqual(config.option(module: "mlx5_core", name: "prof_sel")?.value, "1")
        XCTAssertEqual(config.blacklist(module: "igbvf").first?.location.description, "/etc/modprobe.d/b.conf:2")
        XCTAssertEqual(config.problems.first?.location.description, "/etc/modprobe.d/b.conf:3")
    }

    func testModprobeSearchPathEtcHidesUsrLibAndSortsByName() throws {
        let root = try ScratchTree.make("modprobe")
        defer { ScratchTree.remove(root) }
        let w = try TreeWriter(root: root)
        try w.write("options igb max_vfs=1\n", to: "/usr/lib/modprobe.d/igb.conf")
        try w.write("options igb max_vfs=7\n", to: "/etc/modprobe.d/igb.conf")
        try w.write("options igb max_vfs=3\n", to: "/usr/lib/modprobe.d/aa.conf")
        try w.write("options igb max_vfs=9\n", to: "/etc/modprobe.d/notes.txt")
        let config = ModprobeConfig.read(Machine(root: root))
        XCTAssertEqual(config.files, ["/usr/lib/modprobe.d/aa.conf", "/etc/modprobe.d/igb.conf"])
        XCTAssertEqual(config.shadowed, ["/usr/lib/modprobe.d/igb.conf"])
        XCTAssertEqual(config.option(module: "igb", name: "max_vfs")?.value, "7")
    }

    // MARK: - udev

    func testUdevRulePairsAndProblems() {
        let rules = UdevRules(files: [("/etc/udev/rules.d/70-sriov.rules", """
            # VFs
            ACTION=="add", SUBSYSTEM=="net", ENV{ID_NET_DRIVER}=="igb", \\
              ATTR{device/sriov_numvfs}="7"
            ACTION=="bind",KERNEL=="0000:01:00.0",RUN+="/bin/sh -c 'echo 4 > /sys/bus/pci/devices/%k/sriov_numvfs'"
            KERNEL=="broken
            """)])
        XCTAssertEqual(rules.rules.count, 2)
        XCTAssertEqual(rules.rules[0].location.line, 2)
        XCTAssertEqual(rules.rules[0].pairs.last, UdevRules.Pair(key: "ATTR", attribute: "device/sriov_numvfs", op: "=", value: "7"))
        XCTAssertEqual(rules.rules[1].pairs.last?.op, "+=")
        XCTAssertEqual(rules.problems.map(\.location.line), [5])
        XCTAssertEqual(NumVFsWrite.find(in: rules.rules[1].pairs.last!.value), [NumVFsWrite(count: 4, path: "/sys/bus/pci/devices/%k/sriov_numvfs")])
    }

    func testUdevGlob() {
        XCTAssertTrue(UdevRules.glob("0000:01:00.*", matches: "0000:01:00.0"))
        XCTAssertTrue(UdevRules.glob("enp1s0|eth0", matches: "eth0"))
        XCTAssertTrue(UdevRules.glob("enp[0-9]s0", matches: "enp1s0"))
        XCTAssertTrue(UdevRules.glob("e?p*", matches: "enp1s0"))
        XCTAssertFalse(UdevRules.glob("0000:02:*", matches: "0000:01:00.0"))
        XCTAssertFalse(UdevRules.glob("enp[!1]s0", matches: "enp1s0"))
    }

    // MARK: - sysfs.conf, boot commands

    func testSysfsConf() {
        let conf = SysfsConf(files: [("/etc/sysfs.conf", "# comment\r\nbus/pci/devices/0000:01:00.0/sriov_numvfs = 7\r\nmode class/net/enp1s0/device/sriov_numvfs = 0644\n/sys/class/net/enp1s0/device/sriov_numvfs=3\nnonsense\n")])
        XCTAssertEqual(conf.settings.map(\.path), ["bus/pci/devices/0000:01:00.0/sriov_numvfs", "class/net/enp1s0/device/sriov_numvfs", "class/net/enp1s0/device/sriov_numvfs"])
        XCTAssertEqual(conf.settings.map(\.value), ["7", "0644", "3"])
        XCTAssertEqual(conf.settings[1].directive, "mode")
        XCTAssertEqual(conf.problems.map(\.description), ["/etc/sysfs.conf:5: expected 'PATH = VALUE'"])
    }

    func testNumVFsWritesInShellCommands() {
        XCTAssertEqual(NumVFsWrite.find(in: "/bin/sh -c 'echo 7 > /sys/bus/pci/devices/0000:01:00.0/sriov_numvfs'"),
                       [NumVFsWrite(count: 7, path: "/sys/bus/pci/devices/0000:01:00.0/sriov_numvfs")])
        XCTAssertEqual(NumVFsWrite.find(in: "echo 0 >/sys/class/net/enp1s0/device/sriov_numvfs; echo 4>/sys/class/net/enp1s0/device/sriov_numvfs").map(\.count), [0, 4])
        XCTAssertEqual(NumVFsWrite.find(in: "echo 2 | tee /sys/class/net/enp1s0/device/sriov_numvfs").first?.count, 2)
        XCTAssertEqual(NumVFsWrite.find(in: "ip link set enp1s0 up"), [])
        let pf = PCIAddress("0000:01:00.0")!
        XCTAssertEqual(NumVFsWrite(count: 4, path: "/sys/class/net/enp1s0/device/sriov_numvfs").names(pf: pf, netdevs: ["enp1s0"]), true)
        XCTAssertEqual(NumVFsWrite(count: 4, path: "/sys/bus/pci/devices/0000:02:00.0/sriov_numvfs").names(pf: pf, netdevs: ["enp1s0"]), false)
        XCTAssertNil(NumVFsWrite(count: 4, path: "/sys/bus/pci/devices/$PF/sriov_numvfs").names(pf: pf, netdevs: []))
    }

    func testBootCommandsFromUnitsInterfacesAndRCLocal() throws {
        let root = try ScratchTree.make("boot")
        defer { ScratchTree.remove(root) }
        let w = try TreeWriter(root: root)
        try w.write("[Unit]\nDescription=VFs\n[Service]\nType=oneshot\nExecStart=-/bin/sh -c 'echo 7 > /sys/bus/pci/devices/0000:01:00.0/sriov_numvfs'\n[Install]\nWantedBy=multi-user.target\n",
                    to: "/etc/systemd/system/sriov.service")
        try w.write("[Service]\nExecStart=/usr/bin/true\n", to: "/etc/systemd/system/other.service")
        try w.symlink("/etc/systemd/system/other.service", at: "/etc/systemd/system/multi-user.target.wants/other.service")
        try w.write("auto enp1s0\niface enp1s0 inet manual\n\tpost-up echo 7 > /sys/class/net/enp1s0/device/sriov_numvfs\n", to: "/etc/network/interfaces")
        try w.write("#!/bin/sh\necho 3 > /sys/bus/pci/devices/0000:02:00.0/sriov_numvfs\nexit 0\n", to: "/etc/rc.local")
        let boot = BootCommands.read(Machine(root: root))
        let unit = try XCTUnwrap(boot.commands.first { $0.owner == "sriov.service" })
        XCTAssertEqual(unit.command, "/bin/sh -c 'echo 7 > /sys/bus/pci/devices/0000:01:00.0/sriov_numvfs'")
        XCTAssertEqual(unit.location.description, "/etc/systemd/system/sriov.service:5")
        XCTAssertEqual(unit.enabled, false, "not linked in any .wants directory")
        XCTAssertEqual(boot.commands.first { $0.owner == "other.service" }?.enabled, true)
        let ifup = try XCTUnwrap(boot.commands.first { $0.origin == .ifupdown })
        XCTAssertEqual(ifup.owner, "enp1s0")
        XCTAssertEqual(ifup.location.line, 3)
        XCTAssertEqual(boot.commands.filter { $0.origin == .rcLocal }.count, 2)
    }

    // MARK: - Proxmox, ip link

    func testProxmoxHostPCILinesAndMappings() {
        var config = ProxmoxPassthroughConfig()
        config.parseVM("""
            boot: order=scsi0
            hostpci0: 0000:01:10.0,pcie=1
            hostpci1: host=01:10.2;01:10.4,pcie=1,rombar=0
            hostpci2: mapping=igb-vfs,pcie=1
            hostpci3: 01:11
            hostpci4: banana
            machine: q35
            [snap1]
            hostpci5: 01:12.0
            """, file: "/etc/pve/qemu-server/101.conf", vmid: "101")
        config.parseMappings("igb-vfs\n\tmap id=8086:10ca,iommugroup=7,node=pve,path=0000:01:10.6\n\tmap node=other,path=0000:01:11.2\n",
                             file: "/etc/pve/mapping/pci.cfg")
        func used(_ a: String) -> Bool { !config.directUses(of: PCIAddress(a)!).isEmpty }
        XCTAssertTrue(used("0000:01:10.0"))
        XCTAssertTrue(used("0000:01:10.2"))
        XCTAssertTrue(used("0000:01:10.4"))
        XCTAssertTrue(used("0000:01:11.0"), "01:11 without a function covers all functions")
        XCTAssertTrue(used("0000:01:11.2"))
        XCTAssertFalse(used("0000:01:10.6"))
        XCTAssertTrue(used("0000:01:11.4"))
        XCTAssertFalse(used("0000:01:12.0"), "snapshot sections are not the current config")
        XCTAssertEqual(config.problems.map(\.location.description), ["/etc/pve/qemu-server/101.conf:6"])
        XCTAssertEqual(config.mappings(containing: PCIAddress("0000:01:10.6")!, node: "pve").map(\.mapping), ["igb-vfs"])
        XCTAssertEqual(config.mappings(containing: PCIAddress("0000:01:11.2")!, node: "pve").count, 0, "other node")
        XCTAssertEqual(config.uses(ofMapping: "igb-vfs").map(\.slot), ["hostpci2"])
    }

    /// A VM config as Proxmox VE 8 writes it (qm(1) "Configuration"; `qm config 101` shows the
    /// same keys), a mapping file as Datacenter > Resource Mappings writes it, and `qm list`.
    func testProxmoxVMConfigMappingIDsAndQMList() {
        var config = ProxmoxPassthroughConfig()
        config.parseVM("""
            #Windows 11 with a VF
            agent: 1
            bios: ovmf
            boot: order=scsi0;ide2;net0
            cores: 4
            cpu: x86-64-v2-AES
            efidisk0: local-lvm:vm-101-disk-0,efitype=4m,pre-enrolled-keys=1,size=4M
            hostpci0: 0000:01:10.0,pcie=1,rombar=0
            hostpci1: mapping=igb-vfs,pcie=1
            machine: pc-q35-8.1
            memory: 8192
            meta: creation-qemu=8.1.5,ctime=1718000000
            name: win11
            net0: virtio=BC:24:11:5A:6B:7C,bridge=vmbr0,firewall=1
            ostype: win11
            scsi0: local-lvm:vm-101-disk-1,iothread=1,size=64G
            tpmstate0: local-lvm:vm-101-disk-2,size=4M,version=v2.0

            [pre-update]
            machine: pc-i440fx-7.2
            name: old-name
            """, file: "/etc/pve/qemu-server/101.conf", vmid: "101")
        config.parseVM("boot: order=scsi0\r\nhostpci0: host=01:10.2;01:10.4\r\nname: debian\r\nostype: l26\r\n",
                       file: "/etc/pve/qemu-server/102.conf", vmid: "102")
        config.parseVM("machine: type=q35,viommu=virtio\nname: router\nostype: l26\n", file: "/etc/pve/qemu-server/103.conf", vmid: "103")
        config.parseMappings("""
            igb-vfs
            \tdescription Intel I350 VFs for VMs
            \tmap id=8086:1520,iommugroup=20,node=pve,path=0000:01:10.6,subsystem-id=8086:35c4
            \tmap id=8086:1520,iommugroup=21,node=pve2,path=0000:01:10.6
            """, file: "/etc/pve/mapping/pci.cfg")
        let win = try! XCTUnwrap(config.vm("101"))
        XCTAssertEqual(win.name, "win11", "the [pre-update] snapshot section is not the current config")
        XCTAssertEqual(win.ostype, "win11")
        XCTAssertEqual(win.bios, "ovmf")
        XCTAssertEqual(win.machine, "pc-q35-8.1")
        XCTAssertEqual(win.machineFamily, .q35)
        XCTAssertTrue(win.isWindows)
        XCTAssertEqual(win.label, "VM 101 'win11'")
        let debian = try! XCTUnwrap(config.vm("102"))
        XCTAssertEqual(debian.machineFamily, .i440fx, "no machine: line means i440fx")
        XCTAssertNil(debian.bios)
        XCTAssertFalse(debian.isWindows)
        XCTAssertEqual(debian.name, "debian", "CRLF tolerated")
        XCTAssertEqual(config.vm("103")?.machineFamily, .q35, "machine: type=q35,viommu=...")
        let lines = config.hostPCI
        XCTAssertEqual(lines.map(\.slot), ["hostpci0", "hostpci1", "hostpci0"])
        XCTAssertEqual(lines[0].options.map(\.key), ["pcie", "rombar"])
        XCTAssertEqual(lines[0].option("rombar"), "0")
        XCTAssertTrue(lines[0].pcie)
        XCTAssertEqual(lines[1].mapping, "igb-vfs")
        XCTAssertTrue(lines[1].pcie)
        XCTAssertFalse(lines[2].pcie)
        XCTAssertEqual(lines[2].ids.count, 2)
        XCTAssertEqual(config.mapped.map(\.id), ["8086:1520", "8086:1520"])
        XCTAssertEqual(config.mapped.map(\.iommuGroup), [20, 21])
        XCTAssertEqual(config.mapped.map(\.node), ["pve", "pve2"])
        XCTAssertEqual(config.mappings(containing: PCIAddress("0000:01:10.6")!, node: "pve").map(\.iommuGroup), [20])
        XCTAssertTrue(config.problems.isEmpty, "\(config.problems)")

        XCTAssertEqual(win.state, .unknown, "without qm list")
        XCTAssertFalse(config.runStateKnown)
        config.applyList("""
                  VMID NAME                 STATUS     MEM(MB)    BOOTDISK(GB) PID
                   101 win11                running    8192              64.00 24231
                   102 debian               stopped    2048              32.00 0
            """)
        XCTAssertTrue(config.runStateKnown)
        XCTAssertEqual(config.vms.map(\.state), [.running, .stopped, .unknown])
    }

    func testIPLinkVFLinesOfTheLabCapture() throws {
        let text = try Machine(root: VFCheckTrees.sampleHostVFs).readText("/sriov-wizard/commands/ip_-d_link_show.stdout")
        let info = IPLinkVFInfo(text: text)
        XCTAssertEqual(info.macs["enp1s0"]?.count, 7)
        XCTAssertEqual(info.macs["enp1s0"]?[6], "00:00:00:00:00:00")
        XCTAssertNil(info.macs["enp1s0v0"])
        let old = IPLinkVFInfo(text: "4: eth2: <BROADCAST> mtu 1500\r\n    link/ether 52:54:00:00:00:01 brd ff:ff:ff:ff:ff:ff\r\n    vf 0 MAC 02:AA:BB:CC:DD:00, spoof checking on\r\n")
        XCTAssertEqual(old.macs["eth2"]?[0], "02:aa:bb:cc:dd:00")
    }
}
