import XCTest
import HostAccess
@testable import SRIOVCore

final class IOMMUActiveCheckTests: XCTestCase {
    func testPassWithUnitsAndGroups() throws {
        let root = try HandMadeRoot("iommu-active-pass")
        try root.intelHost()
        let r = try XCTUnwrap(StageTrees.single(IOMMUActiveCheck.self, StageTrees.context(root.path)))
        XCTAssertEqual(r.level, .pass)
        XCTAssertTrue(r.evidence.text(.en).contains("/sys/class/iommu: dmar0"), "\(r.evidence)")
        XCTAssertTrue(r.evidence.text(.en).contains("/sys/kernel/iommu_groups: 3 groups (0..2)"), "\(r.evidence)")
        StageTrees.assertBilingual([r])
    }

    func testDmesgWordingIsNotEvidence() throws {
        let root = try HandMadeRoot("iommu-active-dmesg")
        try root.intelHost(iommuActive: false)
        try root.command(["dmesg"], stdout: "[    1.0] iommu: Default domain type: Translated\n[    1.1] DMAR: IOMMU enabled\n")
        let r = try XCTUnwrap(StageTrees.single(IOMMUActiveCheck.self, StageTrees.context(root.path)))
        XCTAssertEqual(r.level, .fail)
    }

    func testFailHintFollowsTheCause() throws {
        // intel_iommu=off on the command line.
        let off = try HandMadeRoot("iommu-active-off")
        try off.intelHost(cmdline: "ro quiet intel_iommu=off", iommuActive: false)
        let r1 = try XCTUnwrap(StageTrees.single(IOMMUActiveCheck.self, StageTrees.context(off.path)))
        XCTAssertEqual(r1.level, .fail)
        XCTAssertTrue(r1.hint.en.contains("`intel_iommu=off`"), r1.hint.en)

        // No firmware table: the BIOS menu words.
        let noTable = try HandMadeRoot("iommu-active-notable")
        try noTable.intelHost(cmdline: "ro quiet intel_iommu=on", iommuActive: false)
        try noTable.file("/sys/class/dmi/id/board_vendor", "ASUSTeK COMPUTER INC.\n")
        noTable.remove("/sys/firmware/acpi/tables/DMAR")
        let r2 = try XCTUnwrap(StageTrees.single(IOMMUActiveCheck.self, StageTrees.context(noTable.path)))
        XCTAssertEqual(r2.level, .fail)
        XCTAssertTrue(r2.hint.en.contains("VT-d"), r2.hint.en)
        XCTAssertTrue(r2.hint.en.contains("«Advanced»"), "ASUS menu words: \(r2.hint.en)")

        // Table there, nothing on the command line, kernel not enabling it by default.
        let noDefault = try HandMadeRoot("iommu-active-nodefault")
        try noDefault.intelHost(cmdline: "ro quiet", iommuActive: false)
        let r3 = try XCTUnwrap(StageTrees.single(IOMMUActiveCheck.self, StageTrees.context(noDefault.path)))
        XCTAssertEqual(r3.level, .fail)
        XCTAssertTrue(r3.hint.en.contains("intel_iommu=on iommu=pt"), r3.hint.en)
        StageTrees.assertBilingual([r1, r2, r3])
    }

    func testUnitWithoutGroupsWarnsAndMissingSysfsSkips() throws {
        let root = try HandMadeRoot("iommu-active-nogroups")
        try root.intelHost(iommuActive: false)
        try root.link("/sys/class/iommu/dmar0", to: "../../devices/virtual/iommu/dmar0")
        XCTAssertEqual(StageTrees.single(IOMMUActiveCheck.self, StageTrees.context(root.path))?.level, .warn)

        let empty = try HandMadeRoot("iommu-active-empty")
        XCTAssertEqual(StageTrees.single(IOMMUActiveCheck.self, StageTrees.context(empty.path))?.level, .skip)
    }
}
