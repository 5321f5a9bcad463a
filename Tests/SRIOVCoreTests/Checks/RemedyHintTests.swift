import XCTest
import HostAccess
@testable import SRIOVCore

/// Issue 12: a hint says exactly what `apply` would write on the same host, because it is
/// rendered from the planner's plan. Each test compares the hint with the plan's bytes.
final class RemedyHintTests: XCTestCase {
    /// The lines a plan's file edits add (comments and blank lines left out), with their paths.
    static func written(_ plan: Plan) -> [(path: String, lines: [String])] {
        plan.steps.compactMap { step -> (String, [String])? in
            guard case .edit(let edit) = step, let after = edit.after else { return nil }
            let old = Set(String(decoding: edit.before ?? [], as: UTF8.self).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
            let new = String(decoding: after, as: UTF8.self).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            return (edit.path, new.filter { !$0.isEmpty && !$0.hasPrefix("#") && !old.contains($0) })
        }
    }

    static func assertSays(_ hint: String, _ plan: Plan, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(plan.isEmpty, "apply has something to do here", file: file, line: line)
        for (path, lines) in written(plan) {
            XCTAssertTrue(hint.contains(path), "the hint names \(path): \(hint)", file: file, line: line)
            for text in lines { XCTAssertTrue(hint.contains(text), "the hint quotes «\(text)»: \(hint)", file: file, line: line) }
        }
        for case .command(let command) in plan.steps {
            XCTAssertTrue(hint.contains(ShellWords.display(command.argv)), "the hint runs \(command.argv): \(hint)", file: file, line: line)
        }
    }

    func testVFsPersistentHintIsWhatApplyWrites() throws {
        let root = try VFCheckTrees.copy(VFCheckTrees.sampleHostVFs, label: "remedy-persistent")
        addTeardownBlock { ScratchTree.remove(root) }
        let context = try VFCheckTrees.context(root)
        let result = try VFCheckTrees.only(VFsPersistentCheck.run(context), "0000:01:00.0")
        XCTAssertEqual(result.level, .warn)
        let pf = try XCTUnwrap(PCIAddress("0000:01:00.0"))
        let rule = try VFPlanner.plan(device: pf, count: 7, method: .auto, context: context)
        let option = try VFPlanner.plan(device: pf, count: 7, method: .modprobe, context: context)
        for hint in [result.hint.en, result.hint.es] {
            Self.assertSays(hint, rule)
            Self.assertSays(hint, option)
            XCTAssertTrue(hint.contains(#"ACTION=="add|bind""#), hint)
            XCTAssertTrue(hint.contains("/etc/udev/rules.d/70-sriov-wizard.rules"), hint)
            XCTAssertTrue(hint.contains("/etc/modprobe.d/sriov-wizard-igb.conf"), hint)
            XCTAssertFalse(hint.contains(#"ACTION=="bind""#), "a bind-only rule misses the coldplug at boot: \(hint)")
            XCTAssertFalse(hint.contains("70-sriov.rules"), hint)
            XCTAssertFalse(hint.contains("/etc/modprobe.d/igb.conf"), hint)
        }
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
            Self.assertSays(hint, plan)
            XCTAssertTrue(hint.contains("/etc/modules-load.d/vfio.conf"), hint)
            XCTAssertFalse(hint.contains("/etc/modules:") || hint.contains("/etc/modules;"), hint)
            XCTAssertFalse(hint.contains("`vfio`"), "vfio is listed in /etc/modules already: \(hint)")
        }
    }

    /// `iommu=pt` running, nothing in GRUB: the hint used to say that /etc/default/grub "already
    /// has no IOMMU parameters" and to run update-grub, which changes nothing.
    func testIOMMUHintWithPassthroughRunningAndNothingInGrub() throws {
        let root = try HandMadeRoot("remedy-iommu")
        try root.intelHost(cmdline: "BOOT_IMAGE=/vmlinuz ro quiet iommu=pt")
        try root.file("/etc/default/grub", "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_CMDLINE_LINUX=\"\"\n")
        let context = StageTrees.context(root.path)
        let result = try XCTUnwrap(StageTrees.single(IOMMUKernelCmdlineCheck.self, context))
        let plan = try KernelCmdlinePlanner.plan(context: context)
        for hint in [result.hint.en, result.hint.es] {
            Self.assertSays(hint, plan)
            XCTAssertTrue(hint.contains("intel_iommu=on iommu=pt"), hint)
            XCTAssertTrue(hint.contains("/etc/default/grub"), hint)
        }
        XCTAssertFalse(result.summary.en.contains("already has"), result.summary.en)
        XCTAssertFalse(result.hint.en.hasPrefix("Run `update-grub`"), result.hint.en)
        XCTAssertEqual(result.level, .warn, "the next boot loses iommu=pt: \(result.summary.en)")
    }
}

/// The remedy value: the wizard's offer and the hints come from the same planner values.
final class RemedyValueTests: XCTestCase {
    func testOfferedRemediesAreThePlannersAndTheHintsSayThem() throws {
        let context = try VFCheckTrees.context(VFCheckTrees.sampleHost)
        let stage = verifyStages(context).first { $0.id == .activation }!
        let offered = Remedies.offered(for: stage, context: context)
        XCTAssertEqual(offered.map(\.arguments), [["--device", "0000:01:00.0", "--vfs", "7"]])
        let planned = try VFPlanner.remedy(device: try XCTUnwrap(PCIAddress("0000:01:00.0")), count: 7, context: context)
        XCTAssertEqual(offered.first, planned)
        let enabled = try VFCheckTrees.only(VFsEnabledCheck.run(context))
        XCTAssertTrue(enabled.hint.en.hasPrefix(planned.hint.en), enabled.hint.en)
        XCTAssertTrue(enabled.hint.es.hasPrefix(planned.hint.es), enabled.hint.es)
    }

    func testStepsInWords() {
        let edit = FileEdit(path: "/etc/default/grub", before: Array("A=1\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n".utf8),
                            after: Array("A=1\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet iommu=pt\"\n".utf8), reason: "r")
        XCTAssertEqual(Remedy.describe(edit).en, "edit /etc/default/grub:2: `GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"` → `GRUB_CMDLINE_LINUX_DEFAULT=\"quiet iommu=pt\"`")
        let append = FileEdit(path: "/etc/x.conf", before: Array("a\n".utf8), after: Array("a\nb\n".utf8), reason: "r")
        XCTAssertEqual(Remedy.describe(append).es, "añada `b` al final de /etc/x.conf")
        XCTAssertEqual(Remedy.describe(FileEdit(path: "/etc/y", before: [0x61], after: nil, reason: "r")).en, "remove /etc/y")
        let remedy = Remedy(plan: Plan(title: "t", steps: [.edit(append), .command(PlannedCommand(["udevadm", "control", "--reload"], reason: "r"))]),
                            arguments: ["--x"], explanation: LocalizedText(en: "Do it", es: "Hágalo"))
        XCTAssertEqual(remedy.hint.en, "Do it: add `b` to the end of /etc/x.conf; then run `udevadm control --reload`. `sriov-wizard apply --x` makes this change (it shows the diff and asks first).")
    }
}
