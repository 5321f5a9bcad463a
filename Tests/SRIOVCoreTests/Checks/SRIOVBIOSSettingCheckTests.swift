import XCTest
import HostAccess
@testable import SRIOVCore

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
        XCTAssertEqual(r.evidence.text(.en).filter { $0.hasPrefix("dmesg: ") }.count, 2, "only the lines of this PF: \(r.evidence)")
        StageTrees.assertBilingual([r])
    }

    func testIOVBARFailurePatterns() {
        XCTAssertTrue(SRIOVBIOSSettingCheck.isIOVBARFailure("pci 0000:01:00.0: BAR 7: no space for [mem size 0x00100000 64bit]"))
        XCTAssertTrue(SRIOVBIOSSettingCheck.isIOVBARFailure("pci 0000:01:00.0: BAR 10: failed to assign [mem size 0x00100000]"))
        XCTAssertFalse(SRIOVBIOSSettingCheck.isIOVBARFailure("pci 0000:01:00.0: BAR 0: no space for [mem size 0x00100000]"))
        XCTAssertFalse(SRIOVBIOSSettingCheck.isIOVBARFailure("pci 0000:01:00.0: VF BAR 0 [mem 0xfe000000-0xfe01ffff 64bit]: contains BAR 0 for 8 VFs"))
    }
}
