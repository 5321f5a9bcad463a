import XCTest
import HostAccess
@testable import SRIOVCore

/// `ProxmoxPassthroughConfig` (Host/ProxmoxPassthroughConfig.swift): hostpci lines, PCI mappings,
/// VM configs and `qm list`.
final class ProxmoxPassthroughConfigTests: XCTestCase {
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
}
