import XCTest
import HostAccess
@testable import SRIOVCore

final class FirmwareIOMMUTableCheckTests: XCTestCase {
    func testDMARPasses() throws {
        let root = try HandMadeRoot("fw-dmar")
        try root.intelHost()
        let r = try XCTUnwrap(StageTrees.single(FirmwareIOMMUTableCheck.self, StageTrees.context(root.path)))
        XCTAssertEqual(r.level, .pass)
        XCTAssertTrue(r.summary.en.contains("DMAR"))
    }

    func testMissingTableFailsWithVendorMenuWords() throws {
        let root = try HandMadeRoot("fw-none")
        try root.intelHost(vendor: "AuthenticAMD", flags: "svm")
        root.remove("/sys/firmware/acpi/tables/IVRS")
        try root.file("/sys/class/dmi/id/board_vendor", "ASUSTeK COMPUTER INC.\n")
        let r = try XCTUnwrap(StageTrees.single(FirmwareIOMMUTableCheck.self, StageTrees.context(root.path)))
        XCTAssertEqual(r.level, .fail)
        XCTAssertTrue(r.hint.en.contains("AMD-Vi"), r.hint.en)
        XCTAssertTrue(r.hint.en.contains("«AMD CBS»"), r.hint.en)
        XCTAssertFalse(r.hint.en.contains("Intel VT-d"), "only the CPU's vendor: \(r.hint.en)")
        StageTrees.assertBilingual([r])
    }

    func testVirtualMachineGetsTheVIOMMUHintAndNoDirectoryIsASkip() throws {
        let vm = try HandMadeRoot("fw-vm")
        try vm.intelHost(flags: "fpu hypervisor")
        vm.remove("/sys/firmware/acpi/tables/DMAR")
        let r = try XCTUnwrap(StageTrees.single(FirmwareIOMMUTableCheck.self, StageTrees.context(vm.path)))
        XCTAssertEqual(r.level, .fail)
        XCTAssertTrue(r.hint.en.contains("intel-iommu"), r.hint.en)

        let bare = try HandMadeRoot("fw-bare")
        XCTAssertEqual(StageTrees.single(FirmwareIOMMUTableCheck.self, StageTrees.context(bare.path))?.level, .skip)
        // The same tree marked as a sriov-wizard snapshot: the snapshot copies DMAR/IVRS when they exist.
        try bare.file("/sriov-wizard/manifest.json", "{}\n")
        XCTAssertEqual(StageTrees.single(FirmwareIOMMUTableCheck.self, StageTrees.context(bare.path))?.level, .fail)
    }
}

final class ARIForwardingCheckTests: XCTestCase {
    static let pfAddress = PCIAddress("0000:01:00.0")!
    static let portAddress = PCIAddress("0000:00:02.0")!

    static func inventory(supported: Bool?, enabled: Bool?, pfHasARI: Bool = true, rciep: Bool = false, portVersion: UInt8 = 2) -> Inventory {
        var port = PCIFunction(address: portAddress)
        port.secondaryBus = 1
        port.express = PCIExpressCapability(offset: 0x40, version: portVersion, portTypeValue: 4,
                                            ariForwardingSupported: supported, ariForwardingEnabled: enabled)
        var pf = PCIFunction(address: rciep ? PCIAddress("0000:00:05.0")! : pfAddress)
        pf.express = PCIExpressCapability(offset: 0xa0, version: 2, portTypeValue: rciep ? 9 : 0)
        pf.extendedCapabilitiesKnown = true
        if pfHasARI { pf.ari = ARICapability(offset: 0x150, nextFunction: 0) }
        pf.sriov = SRIOVState(capability: SRIOVCapability(offset: 0x160), source: "sysfs")
        pf.sriov?.totalVFs = 7
        pf.ariEnabled = pfHasARI && enabled == true
        pf.role = .pf
        return Inventory(functions: [port, pf], source: "sysfs")
    }

    func context(_ inventory: Inventory, root: String) -> CheckContext {
        CheckContext(machine: Machine(root: root), inventory: inventory)
    }

    func testLevels() throws {
        let root = try HandMadeRoot("ari")
        try root.intelHost()
        try root.file("/sys/class/dmi/id/board_vendor", "GIGABYTE\n")
        let pass = try XCTUnwrap(StageTrees.single(ARIForwardingCheck.self, context(Self.inventory(supported: true, enabled: true), root: root.path)))
        XCTAssertEqual(pass.level, .pass)
        XCTAssertEqual(pass.device, Self.pfAddress)
        XCTAssertTrue(pass.evidence.contains { $0.hasPrefix("0000:00:02.0 (Root Port, PCIe cap v2 at 0x40): DevCap2 ARIFwd+, DevCtl2 ARIFwd+") }, "\(pass.evidence)")
        XCTAssertTrue(pass.evidence.contains("0000:01:00.0: ARI capability at 0x150"), "\(pass.evidence)")

        let unsupported = try XCTUnwrap(StageTrees.single(ARIForwardingCheck.self, context(Self.inventory(supported: false, enabled: false), root: root.path)))
        XCTAssertEqual(unsupported.level, .warn)
        XCTAssertTrue(unsupported.hint.en.contains("«PCIe ARI Support»"), "Gigabyte menu words: \(unsupported.hint.en)")

        let off = try XCTUnwrap(StageTrees.single(ARIForwardingCheck.self, context(Self.inventory(supported: true, enabled: false), root: root.path)))
        XCTAssertEqual(off.level, .warn)

        let noDeviceARI = try XCTUnwrap(StageTrees.single(ARIForwardingCheck.self, context(Self.inventory(supported: true, enabled: false, pfHasARI: false), root: root.path)))
        XCTAssertEqual(noDeviceARI.level, .note)

        let unreadable = try XCTUnwrap(StageTrees.single(ARIForwardingCheck.self, context(Self.inventory(supported: nil, enabled: nil, portVersion: 1), root: root.path)))
        XCTAssertEqual(unreadable.level, .note)

        let rciep = try XCTUnwrap(StageTrees.single(ARIForwardingCheck.self, context(Self.inventory(supported: nil, enabled: nil, rciep: true), root: root.path)))
        XCTAssertEqual(rciep.level, .pass)
        XCTAssertTrue(rciep.summary.en.contains("Root Complex Integrated Endpoint"), rciep.summary.en)
        StageTrees.assertBilingual([pass, unsupported, off, noDeviceARI, unreadable, rciep])
    }

    func testNoPFIsASkipAndPCINoARIIsNamed() throws {
        let root = try HandMadeRoot("ari-none")
        try root.intelHost(cmdline: "ro pci=noari")
        XCTAssertEqual(StageTrees.single(ARIForwardingCheck.self, context(Inventory(functions: [], source: "sysfs"), root: root.path))?.level, .skip)
        let off = try XCTUnwrap(StageTrees.single(ARIForwardingCheck.self, context(Self.inventory(supported: true, enabled: false), root: root.path)))
        XCTAssertTrue(off.hint.en.contains("`pci=noari`"), off.hint.en)
    }
}

final class SRIOVBIOSSettingCheckTests: XCTestCase {
    func testWorkingSRIOVPassesAndASUSGetsBothMenuNames() throws {
        let root = try HandMadeRoot("bios-sriov")
        try root.intelHost()
        try root.file("/sys/class/dmi/id/board_vendor", "ASUSTeK COMPUTER INC.\n")
        let inventory = ARIForwardingCheckTests.inventory(supported: true, enabled: true)
        let ctx = CheckContext(machine: Machine(root: root.path), inventory: inventory)
        let r = try XCTUnwrap(StageTrees.single(SRIOVBIOSSettingCheck.self, ctx))
        XCTAssertEqual(r.level, .pass)
        XCTAssertTrue(r.summary.en.contains("0000:01:00.0 (up to 7 VFs)"), r.summary.en)

        // No PF: a note with the menu words, both ASUS paths.
        let none = try XCTUnwrap(StageTrees.single(SRIOVBIOSSettingCheck.self, CheckContext(machine: Machine(root: root.path), inventory: Inventory(functions: [], source: "sysfs"))))
        XCTAssertEqual(none.level, .note)
        XCTAssertTrue(none.hint.en.contains("«Advanced» >> «PCI Subsystem Settings» >> «SR-IOV Support»"), none.hint.en)
        XCTAssertTrue(none.hint.en.contains("«Advanced» >> «Subsystem Settings» >> «SR-IOV Support»"), none.hint.en)
        XCTAssertTrue(none.hint.en.contains("Above 4G Decoding"), none.hint.en)
        StageTrees.assertBilingual([r, none])
    }

    func testMMIOFailureInTheKernelLogFails() throws {
        let root = try HandMadeRoot("bios-mmio")
        try root.intelHost()
        try root.command(["dmesg"], stdout: """
            [    0.000000] Linux version 6.8.12-4-pve
            [    1.500000] pci 0000:01:00.0: VF BAR 0 [mem size 0x00020000 64bit pref]: can't assign; no space
            [   20.000000] igb 0000:01:00.0: not enough MMIO resources for SR-IOV
            [   20.000001] igb 0000:02:00.0: not enough MMIO resources for SR-IOV

            """)
        let inventory = ARIForwardingCheckTests.inventory(supported: true, enabled: true)
        let r = try XCTUnwrap(StageTrees.single(SRIOVBIOSSettingCheck.self, CheckContext(machine: Machine(root: root.path), inventory: inventory)))
        XCTAssertEqual(r.level, .fail)
        XCTAssertEqual(r.device, ARIForwardingCheckTests.pfAddress)
        XCTAssertTrue(r.hint.en.contains("Above 4G Decoding"), r.hint.en)
        XCTAssertTrue(r.hint.en.contains("pci=realloc"), r.hint.en)
        XCTAssertEqual(r.evidence.filter { $0.hasPrefix("dmesg: ") }.count, 2, "only the lines of this PF: \(r.evidence)")
        StageTrees.assertBilingual([r])
    }

    func testIOVBARFailurePatterns() {
        XCTAssertTrue(SRIOVBIOSSettingCheck.isIOVBARFailure("pci 0000:01:00.0: BAR 7: no space for [mem size 0x00100000 64bit]"))
        XCTAssertTrue(SRIOVBIOSSettingCheck.isIOVBARFailure("pci 0000:01:00.0: BAR 10: failed to assign [mem size 0x00100000]"))
        XCTAssertFalse(SRIOVBIOSSettingCheck.isIOVBARFailure("pci 0000:01:00.0: BAR 0: no space for [mem size 0x00100000]"))
        XCTAssertFalse(SRIOVBIOSSettingCheck.isIOVBARFailure("pci 0000:01:00.0: VF BAR 0 [mem 0xfe000000-0xfe01ffff 64bit]: contains BAR 0 for 8 VFs"))
    }
}
