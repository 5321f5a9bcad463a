import XCTest
import HostAccess
@testable import SRIOVCore

/// `vf-passthrough` (Checks/Activation/VFPassthroughCheck.swift) on copies of the lab-made
/// sample host with seven VFs, changed by hand.
final class VFPassthroughCheckTests: XCTestCase {
    typealias T = VFCheckTrees
    static let pf = "0000:01:00.0"

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
}
