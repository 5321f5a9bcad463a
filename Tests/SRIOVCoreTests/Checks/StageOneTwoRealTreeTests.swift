import XCTest
import HostAccess
@testable import SRIOVCore

/// The stage 1 and 2 checks on real trees: the bundled lab snapshots, the lab's captures, and
/// the per-scenario snapshots in Tests/Fixtures/lab (../shared/lab/README.md for what each
/// scenario is).
final class StageOneTwoRealTreeTests: XCTestCase {
    static let checks: [any Check.Type] = [
        IOMMUActiveCheck.self, IOMMUKernelCmdlineCheck.self, InterruptRemappingCheck.self, VFIOModulesCheck.self,
        FirmwareIOMMUTableCheck.self, ARIForwardingCheck.self, SRIOVBIOSSettingCheck.self,
    ]

    /// check id -> worst level of its results (ari-forwarding gives one per PF).
    func levels(_ root: String, file: StaticString = #filePath, line: UInt = #line) -> [String: CheckLevel] {
        let context = StageTrees.context(root)
        var levels: [String: CheckLevel] = [:]
        for check in Self.checks {
            let results = check.run(context)
            XCTAssertFalse(results.isEmpty, "\(check.id) on \(root)", file: file, line: line)
            if check.id != ARIForwardingCheck.id { XCTAssertEqual(results.count, 1, "\(check.id) on \(root)", file: file, line: line) }
            StageTrees.assertBilingual(results, file: file, line: line)
            for r in results {
                XCTAssertEqual(r.id, check.id)
                XCTAssertFalse(r.evidence.isEmpty, "\(r.id): no evidence", file: file, line: line)
                if r.level != .pass && r.level != .skip {
                    XCTAssertFalse(r.hint.isEmpty && r.level != .note, "\(r.id) \(r.level): no hint", file: file, line: line)
                }
            }
            levels[check.id] = CheckLevel.worst(results.map(\.level))
        }
        return levels
    }

    func fixture(_ scenario: String, _ phase: String = "before") throws -> String {
        let path = StageTrees.labFixture(scenario, phase)
        guard Machine(root: "/").isDirectory(path) else { throw XCTSkip("\(path) not present") }
        return path
    }

    func testSampleHosts() {
        for root in [StageTrees.sampleHost, StageTrees.sampleHostVFs] {
            let l = levels(root)
            XCTAssertEqual(l["iommu-active"], .pass, root)
            XCTAssertEqual(l["iommu-kernel-cmdline"], .pass, root)   // intel_iommu=on iommu=pt
            XCTAssertEqual(l["interrupt-remapping"], .pass, root)   // DMAR-IR: Enabled IRQ remapping in xapic mode
            XCTAssertEqual(l["vfio-modules"], .warn, root)          // the lab guest loads no vfio module
            XCTAssertEqual(l["firmware-iommu-table"], .pass, root)
            XCTAssertEqual(l["ari-forwarding"], .pass, root)        // QEMU root port 00:02.0: ARIFwd+ / ARIFwd+
            XCTAssertEqual(l["sriov-bios-setting"], .pass, root)    // sriov_totalvfs 7
        }
        let ari = ARIForwardingCheck.run(StageTrees.context(StageTrees.sampleHost))[0]
        XCTAssertEqual(ari.device, PCIAddress("0000:01:00.0"))
        XCTAssertTrue(ari.evidence.text(.en).contains { $0.hasPrefix("0000:00:02.0 (Root Port") }, "\(ari.evidence)")
        let active = IOMMUActiveCheck.run(StageTrees.context(StageTrees.sampleHostVFs))[0]
        XCTAssertTrue(active.evidence.text(.en).contains { $0.hasPrefix("/sys/kernel/iommu_groups: 13 groups") }, "VFs get groups: \(active.evidence)")
    }

    func testLabCaptures() throws {
        var seen = 0
        for capture in ["igb/before", "igb/after", "igb-nvme/before", "igb-nvme/after"] {
            guard let root = try CaptureRoot(StageTrees.labCaptures + "/" + capture) else { continue }
            seen += 1
            let l = levels(root.path)
            XCTAssertEqual(l["iommu-active"], .pass, capture)
            XCTAssertEqual(l["iommu-kernel-cmdline"], .pass, capture)
            XCTAssertEqual(l["interrupt-remapping"], .pass, capture)
            XCTAssertEqual(l["firmware-iommu-table"], .pass, capture)
            XCTAssertEqual(l["vfio-modules"], .warn, capture)
            XCTAssertEqual(l["sriov-bios-setting"], .pass, capture)
            let ari = ARIForwardingCheck.run(StageTrees.context(root.path))
            XCTAssertTrue(ari.allSatisfy { $0.level == .pass }, "\(capture): \(ari.map(\.summary.en))")
            let ir = InterruptRemappingCheck.run(StageTrees.context(root.path))[0]
            XCTAssertTrue(ir.evidence.text(.en).contains { $0.hasPrefix("/proc/interrupts: ") && !$0.hasPrefix("/proc/interrupts: 0 ") }, "\(ir.evidence)")
        }
        if seen == 0 { throw XCTSkip("no lab captures at \(StageTrees.labCaptures)") }
    }

    func testNoVIOMMU() throws {
        let l = levels(try fixture("igb-noiommu"))
        XCTAssertEqual(l["iommu-active"], .fail)
        XCTAssertEqual(l["firmware-iommu-table"], .fail)
        XCTAssertEqual(l["iommu-kernel-cmdline"], .warn)       // iommu=pt only, nothing active
        XCTAssertEqual(l["interrupt-remapping"], .warn)        // no IOMMU at all
        XCTAssertTrue(InterruptRemappingCheck.run(StageTrees.context(try fixture("igb-noiommu")))[0].hint.en.hasPrefix("There is no IOMMU"))
        XCTAssertEqual(l["sriov-bios-setting"], .pass)         // SR-IOV still works without an IOMMU
        let hint = IOMMUActiveCheck.run(StageTrees.context(try fixture("igb-noiommu")))[0].hint.en
        XCTAssertTrue(hint.contains("virtual machine"), "QEMU guest without vIOMMU: \(hint)")
    }

    func testIntelIOMMUOff() throws {
        let root = try fixture("igb-iommu-off")
        let l = levels(root)
        XCTAssertEqual(l["firmware-iommu-table"], .pass)        // DMAR is still there
        XCTAssertEqual(l["iommu-active"], .fail)
        XCTAssertEqual(l["iommu-kernel-cmdline"], .fail)
        XCTAssertEqual(l["interrupt-remapping"], .pass)         // still enabled (lab README)
        XCTAssertTrue(IOMMUActiveCheck.run(StageTrees.context(root))[0].hint.en.contains("`intel_iommu=off`"))
    }

    func testDefaultAndPassthroughOnly() throws {
        for scenario in ["igb-iommu-default", "igb-iommu-ptonly"] {
            let l = levels(try fixture(scenario))
            XCTAssertEqual(l["iommu-active"], .pass, scenario)
            XCTAssertEqual(l["iommu-kernel-cmdline"], .note, "\(scenario): VT-d on by Debian's default")
            XCTAssertEqual(l["interrupt-remapping"], .pass, scenario)
        }
    }

    func testAMDWithoutInterruptRemapping() throws {
        let l = levels(try fixture("igb-amd"))
        XCTAssertEqual(l["iommu-active"], .pass)
        XCTAssertEqual(l["firmware-iommu-table"], .pass)        // IVRS
        XCTAssertEqual(l["iommu-kernel-cmdline"], .pass)
        XCTAssertEqual(l["interrupt-remapping"], .warn)         // AMD-Vi: Disabling interrupt remapping
    }

    func testMaxVFs() throws {
        let l = levels(try fixture("igb-maxvfs"))
        XCTAssertEqual(l["iommu-active"], .pass)
        XCTAssertEqual(l["sriov-bios-setting"], .pass)
        XCTAssertEqual(l["ari-forwarding"], .pass)
    }

    func testOtherScenariosWhenPresent() throws {
        var seen = 0
        for scenario in ["igb-nvme", "igb-kernel6.1"] {
            guard let root = try? fixture(scenario) else { continue }
            seen += 1
            let l = levels(root)
            XCTAssertEqual(l["iommu-active"], .pass, scenario)
            XCTAssertEqual(l["iommu-kernel-cmdline"], .pass, scenario)
            XCTAssertEqual(l["firmware-iommu-table"], .pass, scenario)
        }
        if seen == 0 { throw XCTSkip("igb-nvme / igb-kernel6.1 snapshots not made yet") }
    }
}
