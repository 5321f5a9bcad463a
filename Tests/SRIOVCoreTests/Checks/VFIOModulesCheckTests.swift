import XCTest
import HostAccess
@testable import SRIOVCore

final class VFIOModulesCheckTests: XCTestCase {
    static let loaded = """
        vfio_pci 16384 0 - Live 0xffffffffc0a00000
        vfio_pci_core 86016 1 vfio_pci, Live 0xffffffffc0a10000
        vfio_iommu_type1 45056 0 - Live 0xffffffffc0a30000
        vfio 61440 3 vfio_pci_core,vfio_iommu_type1,vfio_pci, Live 0xffffffffc0a40000

        """

    func testLoadedAndListedPasses() throws {
        let root = try HandMadeRoot("vfio-pass")
        try root.file("/proc/sys/kernel/osrelease", "6.8.12-4-pve\n")
        try root.file("/proc/modules", Self.loaded)
        try root.file("/etc/modules", "# /etc/modules\r\nvfio\r\nvfio_pci\r\n")
        try root.file("/etc/modules-load.d/vfio.conf", "vfio-iommu-type1\n")
        let r = try XCTUnwrap(StageTrees.single(VFIOModulesCheck.self, StageTrees.context(root.path)))
        XCTAssertEqual(r.level, .pass, r.summary.en)
        XCTAssertTrue(r.evidence.text(.en).contains("vfio_iommu_type1: loaded, listed at /etc/modules-load.d/vfio.conf:1"), "\(r.evidence)")
        XCTAssertTrue(r.evidence.text(.en).contains("vfio: loaded, listed at /etc/modules:2"), "\(r.evidence)")
        StageTrees.assertBilingual([r])
    }

    func testBuiltInCountsForNowAndBoot() throws {
        let root = try HandMadeRoot("vfio-builtin")
        try root.command(["uname", "-r"], stdout: "6.12.95+deb12-amd64\n")
        try root.file("/proc/modules", "igb 311296 0 - Live 0x0\n")
        try root.file("/lib/modules/6.12.95+deb12-amd64/modules.builtin",
                      "kernel/drivers/vfio/vfio.ko\nkernel/drivers/vfio/vfio_iommu_type1.ko\nkernel/drivers/vfio/pci/vfio-pci.ko\n")
        let r = try XCTUnwrap(StageTrees.single(VFIOModulesCheck.self, StageTrees.context(root.path)))
        XCTAssertEqual(r.level, .pass, "\(r.evidence)")
    }

    func testMissingWarnsWithTheLinesToAdd() throws {
        let root = try HandMadeRoot("vfio-missing")
        try root.file("/proc/sys/kernel/osrelease", "6.8.12-4-pve\n")
        try root.file("/proc/modules", "igb 311296 0 - Live 0x0\n")
        try root.file("/etc/modules", "vfio\nvfio_virqfd\n")
        let r = try XCTUnwrap(StageTrees.single(VFIOModulesCheck.self, StageTrees.context(root.path)))
        XCTAssertEqual(r.level, .warn)
        XCTAssertTrue(r.summary.en.contains("vfio_iommu_type1, vfio_pci"), r.summary.en)
        XCTAssertFalse(r.summary.en.contains("vfio,"), "vfio is listed for boot: \(r.summary.en)")
        XCTAssertTrue(r.hint.en.contains("`update-initramfs -u -k all`"), r.hint.en)
        XCTAssertTrue(r.hint.en.contains("`vfio_pci`"), r.hint.en)
        XCTAssertTrue(r.evidence.text(.en).contains { $0.hasPrefix("vfio_virqfd: listed at /etc/modules:2, but since kernel 6.2") }, "\(r.evidence)")
        StageTrees.assertBilingual([r])
    }

    /// A list of modules takes a plural verb (issue 13: "vfio, vfio_pci, vfio_iommu_type1 is
    /// listed", "está configurado"); one module a singular one.
    func testListsOfModulesAgreeWithTheirVerb() throws {
        let root = try HandMadeRoot("vfio-agree")
        try root.file("/proc/sys/kernel/osrelease", "6.8.12-4-pve\n")
        try root.file("/proc/modules", "igb 311296 0 - Live 0x0\n")
        try root.file("/etc/modules-load.d/vfio.conf", "vfio\nvfio_iommu_type1\nvfio_pci\n")
        let r = try XCTUnwrap(StageTrees.single(VFIOModulesCheck.self, StageTrees.context(root.path)))
        XCTAssertEqual(r.level, .note)
        XCTAssertTrue(r.summary.en.contains("vfio_pci are listed to load at boot but not loaded now: they will be"), r.summary.en)
        XCTAssertTrue(r.summary.es.contains("vfio_pci están configurados para cargarse al arrancar pero no están cargados ahora: lo estarán"), r.summary.es)
        XCTAssertTrue(r.hint.en.contains("load them now"), r.hint.en)

        let one = try HandMadeRoot("vfio-agree-one")
        try one.file("/proc/sys/kernel/osrelease", "6.8.12-4-pve\n")
        try one.file("/proc/modules", "vfio 61440 0 - Live 0x0\nvfio_iommu_type1 45056 0 - Live 0x0\n")
        try one.file("/etc/modules-load.d/vfio.conf", "vfio\nvfio_iommu_type1\nvfio_pci\n")
        let single = try XCTUnwrap(StageTrees.single(VFIOModulesCheck.self, StageTrees.context(one.path)))
        XCTAssertTrue(single.summary.en.hasPrefix("vfio_pci is listed to load at boot but not loaded now: it will be"), single.summary.en)
        XCTAssertTrue(single.summary.es.hasPrefix("vfio_pci está configurado para cargarse al arrancar pero no está cargado ahora: lo estará"), single.summary.es)
        XCTAssertTrue(single.hint.en.contains("load it now with `modprobe -a vfio_pci`"), single.hint.en)
        XCTAssertTrue(single.hint.es.contains("cárguelo ya"), single.hint.es)

        let loaded = try HandMadeRoot("vfio-agree-boot")
        try loaded.file("/proc/sys/kernel/osrelease", "6.8.12-4-pve\n")
        try loaded.file("/proc/modules", Self.loaded)
        let notAtBoot = try XCTUnwrap(StageTrees.single(VFIOModulesCheck.self, StageTrees.context(loaded.path)))
        XCTAssertTrue(notAtBoot.summary.en.contains("vfio_pci are not listed to load at boot"), notAtBoot.summary.en)
        XCTAssertTrue(notAtBoot.summary.es.contains("vfio_pci no están configurados para cargarse"), notAtBoot.summary.es)
    }

    func testOldKernelNeedsVirqfdAndLoadedButNotListedIsANote() throws {
        let root = try HandMadeRoot("vfio-old")
        try root.file("/proc/sys/kernel/osrelease", "5.15.158-2-pve\n")
        try root.file("/proc/modules", Self.loaded + "vfio_virqfd 16384 1 vfio_pci, Live 0x0\n")
        let r = try XCTUnwrap(StageTrees.single(VFIOModulesCheck.self, StageTrees.context(root.path)))
        XCTAssertEqual(r.level, .note)
        XCTAssertTrue(r.summary.en.contains("vfio_virqfd"), r.summary.en)
        XCTAssertTrue(r.hint.en.contains("/etc/modules"), r.hint.en)
    }

    func testIOMMUFDReplacesType1() throws {
        let root = try HandMadeRoot("vfio-iommufd")
        try root.file("/proc/sys/kernel/osrelease", "6.12.0\n")
        try root.file("/proc/modules", "vfio 1 0 - Live 0x0\nvfio_pci 1 0 - Live 0x0\niommufd 1 0 - Live 0x0\n")
        try root.file("/etc/modules", "vfio\nvfio_pci\niommufd\n")
        let r = try XCTUnwrap(StageTrees.single(VFIOModulesCheck.self, StageTrees.context(root.path)))
        XCTAssertEqual(r.level, .pass, "\(r.evidence)")
        XCTAssertTrue(r.summary.en.contains("iommufd"))
    }
}

extension VFIOModulesCheckTests {
    func testUnreadableProcModulesDoesNotClaimNotLoaded() throws {
        let root = try HandMadeRoot("vfio-noproc")
        try root.file("/proc/sys/kernel/osrelease", "6.8.12-4-pve\n")
        let r = try XCTUnwrap(StageTrees.single(VFIOModulesCheck.self, StageTrees.context(root.path)))
        XCTAssertEqual(r.level, .warn)
        XCTAssertTrue(r.summary.en.contains("cannot be read"), r.summary.en)
        XCTAssertTrue(r.evidence.text(.en).contains("vfio: whether loaded is unknown, whether built in is unknown, not listed for boot"), "\(r.evidence)")
    }

    func testVFIOModulesHintIsWhatApplyWrites() throws {
        let root = try HandMadeRoot("remedy-vfio")
        try root.file("/proc/sys/kernel/osrelease", "6.8.12-4-pve\n")
        try root.file("/proc/modules", "igb 311296 0 - Live 0x0\n")
        try root.file("/etc/modules", "vfio\n")
        let context = StageTrees.context(root.path)
        let result = try XCTUnwrap(StageTrees.single(VFIOModulesCheck.self, context))
        XCTAssertEqual(result.level, .warn)
        let plan = try VFIOModulesPlanner.plan(context: context)
        for hint in [result.hint.en, result.hint.es] {
            RemedyHintTests.assertSays(hint, plan)
            XCTAssertTrue(hint.contains("/etc/modules-load.d/vfio.conf"), hint)
            XCTAssertFalse(hint.contains("/etc/modules:") || hint.contains("/etc/modules;"), hint)
            XCTAssertFalse(hint.contains("`vfio`"), "vfio is listed in /etc/modules already: \(hint)")
        }
    }
}
