import XCTest
import HostAccess
@testable import SRIOVCore

final class InterruptRemappingCheckTests: XCTestCase {
    func testIntelEnabledWithTheX2APICLineIsAPass() throws {
        let root = try HandMadeRoot("ir-intel")
        try root.intelHost()
        try root.command(["dmesg"], stdout: """
            [    0.000000] Linux version 6.8.12-4-pve
            [    0.272691] DMAR-IR: dmar0 does not support EIM
            [    0.287675] DMAR-IR: Enabled IRQ remapping in xapic mode
            [    0.287922] x2apic: IRQ remapping doesn't support X2APIC mode

            """)
        let r = try XCTUnwrap(StageTrees.single(InterruptRemappingCheck.self, StageTrees.context(root.path)))
        XCTAssertEqual(r.level, .pass)
        XCTAssertTrue(r.summary.en.contains("xapic"))
        XCTAssertTrue(r.evidence.text(.en).contains("dmesg: DMAR-IR: Enabled IRQ remapping in xapic mode"), "\(r.evidence)")
        StageTrees.assertBilingual([r])
    }

    func testAMDDisablingWarnsWithTheUnsafeFallback() throws {
        let root = try HandMadeRoot("ir-amd")
        try root.intelHost(cmdline: "ro iommu=pt", vendor: "AuthenticAMD", flags: "svm")
        try root.command(["dmesg"], stdout: """
            [    0.000000] Linux version 6.12.95+deb12-amd64
            [    0.300000] AMD-Vi: [Firmware Bug]: : IOAPIC[0] not in IVRS table
            [    0.300001] AMD-Vi: Disabling interrupt remapping

            """)
        try root.file("/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", "Y\n")
        let r = try XCTUnwrap(StageTrees.single(InterruptRemappingCheck.self, StageTrees.context(root.path)))
        XCTAssertEqual(r.level, .warn)
        XCTAssertTrue(r.hint.en.contains("allow_unsafe_interrupts=1"), r.hint.en)
        XCTAssertTrue(r.summary.en.contains("already on"), r.summary.en)
        StageTrees.assertBilingual([r])
    }

    func testIntremapOffOnTheCommandLine() throws {
        let root = try HandMadeRoot("ir-cmdline")
        try root.intelHost(cmdline: "ro intel_iommu=on intremap=off")
        try root.command(["dmesg"], stdout: "[    0.000000] Linux version 6.8\n")
        let r = try XCTUnwrap(StageTrees.single(InterruptRemappingCheck.self, StageTrees.context(root.path)))
        XCTAssertEqual(r.level, .warn)
        XCTAssertTrue(r.hint.en.hasPrefix("Remove `intremap=off`"), r.hint.en)
    }

    func testProcInterruptsWhenDmesgIsUnavailable() throws {
        let on = try HandMadeRoot("ir-proc")
        try on.intelHost()
        try on.file("/proc/interrupts", "           CPU0\n  0:         88  IR-IO-APIC   2-edge      timer\n 24:  0  IR-PCI-MSIX-0000:01:00.0    0-edge      enp1s0\n")
        let r = try XCTUnwrap(StageTrees.single(InterruptRemappingCheck.self, StageTrees.context(on.path)))
        XCTAssertEqual(r.level, .pass)
        XCTAssertTrue(r.evidence.text(.en).contains { $0.hasPrefix("dmesg: not available:") }, "\(r.evidence)")

        let nothing = try HandMadeRoot("ir-nothing")
        try nothing.intelHost()
        let r2 = try XCTUnwrap(StageTrees.single(InterruptRemappingCheck.self, StageTrees.context(nothing.path)))
        XCTAssertEqual(r2.level, .note)
        XCTAssertTrue(r2.summary.en.contains("cannot be told"), r2.summary.en)
    }

    func testRotatedLogIsANoteNotAWarning() throws {
        let root = try HandMadeRoot("ir-rotated")
        try root.intelHost()
        try root.command(["dmesg"], stdout: "[86400.000000] igb 0000:01:00.0: link up\n")
        try root.file("/proc/interrupts", "           CPU0\n  0:         88  IO-APIC   2-edge      timer\n")
        let r = try XCTUnwrap(StageTrees.single(InterruptRemappingCheck.self, StageTrees.context(root.path)))
        XCTAssertEqual(r.level, .note, "plain chips are not proof while the boot messages are gone")
        XCTAssertTrue(r.summary.en.contains("rotated"), r.summary.en)
    }

    func testFailedDmesgIsReported() throws {
        let root = try HandMadeRoot("ir-eperm")
        try root.intelHost()
        try root.command(["dmesg"], stdout: "", status: 1, stderr: "dmesg: read kernel buffer failed: Operation not permitted\n")
        let r = try XCTUnwrap(StageTrees.single(InterruptRemappingCheck.self, StageTrees.context(root.path)))
        XCTAssertEqual(r.level, .note)
        XCTAssertTrue(r.evidence.text(.en).contains { $0.contains("Operation not permitted") }, "\(r.evidence)")
    }
}
