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
