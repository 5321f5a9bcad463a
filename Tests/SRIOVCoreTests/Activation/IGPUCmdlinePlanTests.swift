import XCTest
import HostAccess
import GPUTreeSupport
@testable import SRIOVCore

/// `apply --igpu`: the iGPU driver's kernel parameters planned by the same boot-loader-aware
/// planner as the IOMMU words (GRUB here, /etc/kernel/cmdline for systemd-boot), replacing an
/// old `i915.enable_guc=7`, with the dkms install steps when the dkms build is not loaded.
final class IGPUCmdlinePlanTests: XCTestCase {
    func grubAfter(_ plan: Plan) -> String? {
        for case .edit(let edit) in plan.steps where edit.path == GrubDefaults.path { return edit.after.map { String(decoding: $0, as: UTF8.self) } }
        return nil
    }

    func testOldEnableGuC7IsReplaced() throws {
        let root = try ScratchTree.make("igpu-plan")
        defer { ScratchTree.remove(root) }
        try IGPUTree.write(.dkmsWithoutMaxVFs, to: root)
        let plan = try KernelCmdlinePlanner.planIGPU(context: try VFCheckTrees.context(root))
        let grub = try XCTUnwrap(grubAfter(plan), "no edit of /etc/default/grub in \(plan.steps)")
        XCTAssertTrue(grub.contains("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt i915.enable_guc=3 i915.max_vfs=7 module_blacklist=xe\""), grub)
        XCTAssertFalse(grub.contains("enable_guc=7"), grub)
        XCTAssertTrue(plan.steps.contains { if case .command(let c) = $0 { return c.argv == ["update-grub"] } else { return false } })
        XCTAssertTrue(plan.pending.contains { $0.en.contains("reboot") })
        XCTAssertFalse(plan.pending.contains { $0.en.contains("Install i915-sriov-dkms") }, "the dkms build is loaded")
    }

    func testAlreadyAppliedChangesNothing() throws {
        let root = try ScratchTree.make("igpu-plan-done")
        defer { ScratchTree.remove(root) }
        try IGPUTree.write(.vfsOnVFIO, to: root)
        let plan = try KernelCmdlinePlanner.planIGPU(context: try VFCheckTrees.context(root))
        XCTAssertTrue(plan.steps.isEmpty, "\(plan.steps)")
        XCTAssertFalse(plan.alreadyApplied.isEmpty)
    }

    func testStockDriverGetsParametersAndTheInstallSteps() throws {
        let root = try ScratchTree.make("igpu-plan-stock")
        defer { ScratchTree.remove(root) }
        try IGPUTree.write(.stockI915, to: root)
        let plan = try KernelCmdlinePlanner.planIGPU(context: try VFCheckTrees.context(root), alsoIOMMU: true)
        let grub = try XCTUnwrap(grubAfter(plan))
        XCTAssertTrue(grub.contains("intel_iommu=on iommu=pt i915.enable_guc=3 i915.max_vfs=7 module_blacklist=xe\""), grub)
        XCTAssertEqual(grub.components(separatedBy: "intel_iommu=on").count, 2, "IOMMU words once: \(grub)")
        XCTAssertTrue(plan.pending.contains { $0.en.contains("i915-sriov-dkms 2026.03.05.1") && $0.en.contains("dkms status") }, "\(plan.pending)")
        XCTAssertFalse(plan.pending.contains { $0.en.contains("mokutil") }, "Secure Boot is off")
        try VFCheckTrees.write(root, RecordedCommandRunner.directory + "/mokutil_--sb-state.stdout", "SecureBoot enabled\n")
        let secure = try KernelCmdlinePlanner.planIGPU(context: try VFCheckTrees.context(root))
        XCTAssertTrue(secure.pending.contains { $0.en.contains("mokutil --import /var/lib/dkms/mok.pub") }, "\(secure.pending)")
    }

    func testXeFormWithTheDeviceID() throws {
        let root = try ScratchTree.make("igpu-plan-xe")
        defer { ScratchTree.remove(root) }
        try IGPUTree.write(.stockI915, to: root)
        let plan = try KernelCmdlinePlanner.planIGPU(context: try VFCheckTrees.context(root), driver: "xe")
        let grub = try XCTUnwrap(grubAfter(plan))
        XCTAssertTrue(grub.contains("xe.max_vfs=7 xe.force_probe=46a6 module_blacklist=i915\""), grub)
        XCTAssertThrowsError(try KernelCmdlinePlanner.planIGPU(context: try VFCheckTrees.context(root), driver: "nouveau"))
    }

    func testKernelCmdlineFileForSystemdBoot() {
        let k = GPUKnowledge.embedded!
        let change = KernelCmdlinePlanner.Change.igpu(driver: "i915", deviceID: 0x4680, knowledge: k)
        let out = KernelCmdlinePlanner.editKernelCmdline("root=ZFS=rpool/ROOT/pve-1 boot=zfs i915.enable_guc=7 i915.max_vfs=2\n", change)
        XCTAssertEqual(out, "root=ZFS=rpool/ROOT/pve-1 boot=zfs i915.enable_guc=3 i915.max_vfs=7 module_blacklist=xe\n")
    }

    func testNoIGPUIsAClearError() throws {
        XCTAssertThrowsError(try KernelCmdlinePlanner.planIGPU(context: try VFCheckTrees.context(VFCheckTrees.sampleHost))) { error in
            XCTAssertTrue("\(error)".contains("no Intel integrated GPU at 0000:00:02.0"), "\(error)")
        }
    }

    func testPassthroughRefusesThePFAndTheSlotShorthand() throws {
        let root = try ScratchTree.make("igpu-pass")
        defer { ScratchTree.remove(root) }
        try IGPUTree.write(.vfsOnVFIO, to: root)
        let context = try VFCheckTrees.context(root)
        XCTAssertThrowsError(try PassthroughPlanner.plan(vmid: "100", vf: "0000:00:02.0", context: context)) { error in
            XCTAssertTrue("\(error)".contains("disables every VF"), "\(error)")
        }
        XCTAssertThrowsError(try PassthroughPlanner.plan(vmid: "100", vf: "00:02", context: context)) { error in
            XCTAssertTrue("\(error)".contains("All Functions"), "\(error)")
            XCTAssertTrue("\(error)".contains("--vf 0000:00:02.1"), "\(error)")
        }
    }
}
