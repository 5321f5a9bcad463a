import XCTest
import HostAccess
@testable import SRIOVCore

final class IOMMUKernelCmdlineCheckTests: XCTestCase {
    static let grubFile = "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\nGRUB_CMDLINE_LINUX=\"\"\n"

    func testPassWhenRunningAndPersistentAgree() throws {
        let root = try HandMadeRoot("cmdline-pass")
        try root.intelHost()
        try root.file("/etc/default/grub", Self.grubFile)
        let r = try XCTUnwrap(StageTrees.single(IOMMUKernelCmdlineCheck.self, StageTrees.context(root.path)))
        XCTAssertEqual(r.level, .pass, r.summary.en)
        XCTAssertTrue(r.hint.isEmpty)
        XCTAssertTrue(r.evidence.text(.en).contains("/etc/default/grub:2: GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\""), "\(r.evidence)")
        XCTAssertTrue(r.evidence.text(.en).contains("boot loader: GRUB"))
        StageTrees.assertBilingual([r])
    }

    func testIntelIOMMUOffFailsWithTheExactLineToEdit() throws {
        let root = try HandMadeRoot("cmdline-off")
        try root.intelHost(cmdline: "ro quiet intel_iommu=off", iommuActive: false)
        try root.file("/etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT='quiet intel_iommu=off'\r\nGRUB_CMDLINE_LINUX=\"\"\r\n")
        let r = try XCTUnwrap(StageTrees.single(IOMMUKernelCmdlineCheck.self, StageTrees.context(root.path)))
        XCTAssertEqual(r.level, .fail)
        XCTAssertTrue(r.hint.en.contains("/etc/default/grub:1: `GRUB_CMDLINE_LINUX_DEFAULT='quiet intel_iommu=off'` → `GRUB_CMDLINE_LINUX_DEFAULT='quiet intel_iommu=on iommu=pt'`"), r.hint.en)
        XCTAssertTrue(r.hint.en.contains("`update-grub`"), r.hint.en)
        StageTrees.assertBilingual([r])
    }

    func testOffAlreadyRemovedFromTheFileSaysRebootPending() throws {
        let root = try HandMadeRoot("cmdline-off-pending")
        try root.intelHost(cmdline: "ro quiet intel_iommu=off", iommuActive: false)
        try root.file("/etc/default/grub", Self.grubFile)
        let r = try XCTUnwrap(StageTrees.single(IOMMUKernelCmdlineCheck.self, StageTrees.context(root.path)))
        XCTAssertEqual(r.level, .fail, "still off in the running kernel")
        XCTAssertTrue(r.summary.en.contains("takes effect after `update-grub` and a reboot"), r.summary.en)
        XCTAssertTrue(r.hint.en.contains("reboot"), r.hint.en)
    }

    func testDefaultOnIsANoteWithTheGrubEdit() throws {
        let root = try HandMadeRoot("cmdline-default")
        try root.intelHost(cmdline: "BOOT_IMAGE=/vmlinuz ro quiet")
        try root.file("/etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_CMDLINE_LINUX=\"\"\n")
        let r = try XCTUnwrap(StageTrees.single(IOMMUKernelCmdlineCheck.self, StageTrees.context(root.path)))
        XCTAssertEqual(r.level, .note)
        XCTAssertTrue(r.hint.en.contains("/etc/default/grub:1: `GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"` → `GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"`"), r.hint.en)
        XCTAssertTrue(r.hint.en.contains("then run `update-grub`; then reboot"), r.hint.en)
    }

    func testChangeMadeButNotRebootedWarns() throws {
        let root = try HandMadeRoot("cmdline-pending")
        try root.intelHost(cmdline: "ro quiet", iommuActive: false)
        try root.file("/etc/default/grub", Self.grubFile)
        try root.file("/boot/grub/grub.cfg", "menuentry 'Debian' {\n\tlinux\t/vmlinuz-6.1.0 root=UUID=x ro quiet\n}\n")
        let r = try XCTUnwrap(StageTrees.single(IOMMUKernelCmdlineCheck.self, StageTrees.context(root.path)))
        XCTAssertEqual(r.level, .warn)
        XCTAssertTrue(r.hint.en.contains("Run `update-grub`"), r.hint.en)
        XCTAssertTrue(r.evidence.text(.en).contains { $0.contains("`update-grub` has not been run") }, "\(r.evidence)")
    }

    func testRunningRightButNextBootLosesIt() throws {
        let root = try HandMadeRoot("cmdline-lost")
        try root.intelHost()
        try root.file("/etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n")
        let r = try XCTUnwrap(StageTrees.single(IOMMUKernelCmdlineCheck.self, StageTrees.context(root.path)))
        XCTAssertEqual(r.level, .warn)
        XCTAssertTrue(r.summary.en.contains("the next boot will lose it"), r.summary.en)
        XCTAssertTrue(r.hint.en.contains("`GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"`"), r.hint.en)
    }

    func testProxmoxBootToolSystemdBoot() throws {
        let root = try HandMadeRoot("cmdline-pbt")
        try root.intelHost(cmdline: "initrd=\\EFI\\proxmox\\6.8.12-4-pve\\initrd.img-6.8.12-4-pve root=ZFS=rpool/ROOT/pve-1 boot=zfs")
        try root.file("/etc/kernel/proxmox-boot-uuids", "5D4C-1234\n")
        try root.file("/etc/kernel/cmdline", "root=ZFS=rpool/ROOT/pve-1 boot=zfs\n")
        try root.directory("/sys/firmware/efi")
        let r = try XCTUnwrap(StageTrees.single(IOMMUKernelCmdlineCheck.self, StageTrees.context(root.path)))
        XCTAssertEqual(r.level, .note, "VT-d active by default")
        XCTAssertTrue(r.hint.en.contains("/etc/kernel/cmdline:1: `root=ZFS=rpool/ROOT/pve-1 boot=zfs` → `root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on iommu=pt`"), r.hint.en)
        XCTAssertTrue(r.hint.en.contains("`proxmox-boot-tool refresh`"), r.hint.en)
        XCTAssertFalse(r.hint.en.contains("update-grub"))
        StageTrees.assertBilingual([r])
    }

    func testAMDPassesWithoutParametersAndAMDOffFails() throws {
        let amd = try HandMadeRoot("cmdline-amd")
        try amd.intelHost(cmdline: "ro quiet amd_iommu=on", vendor: "AuthenticAMD", flags: "fpu svm")
        let r = try XCTUnwrap(StageTrees.single(IOMMUKernelCmdlineCheck.self, StageTrees.context(amd.path)))
        XCTAssertEqual(r.level, .pass)
        XCTAssertTrue(r.summary.en.contains("ignored"), r.summary.en)

        let off = try HandMadeRoot("cmdline-amd-off")
        try off.intelHost(cmdline: "ro amd_iommu=off", iommuActive: false, vendor: "AuthenticAMD", flags: "fpu svm")
        let r2 = try XCTUnwrap(StageTrees.single(IOMMUKernelCmdlineCheck.self, StageTrees.context(off.path)))
        XCTAssertEqual(r2.level, .fail)
        XCTAssertTrue(r2.hint.en.contains("`amd_iommu=off`"), r2.hint.en)
        XCTAssertTrue(r2.hint.en.contains("/etc/default/grub"), "unknown loader names both places: \(r2.hint.en)")
    }

    func testUnparsableGrubLinesAreEvidenceNotACrash() throws {
        let root = try HandMadeRoot("cmdline-odd")
        try root.intelHost()
        try root.file("/etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\nGRUB_DISTRIBUTOR=`lsb_release -i -s`\n")
        try root.file("/etc/default/grub.d/broken.cfg", "GRUB_CMDLINE_LINUX=\"$(cat /x)\"\n")
        let r = try XCTUnwrap(StageTrees.single(IOMMUKernelCmdlineCheck.self, StageTrees.context(root.path)))
        XCTAssertEqual(r.level, .pass)
        XCTAssertTrue(r.evidence.text(.en).contains { $0.hasPrefix("not understood: /etc/default/grub:2:") }, "\(r.evidence)")
        XCTAssertTrue(r.evidence.text(.en).contains { $0.hasPrefix("not understood: /etc/default/grub.d/broken.cfg:1:") }, "\(r.evidence)")
    }

    func testMissingProcCmdlineWarns() throws {
        let root = try HandMadeRoot("cmdline-none")
        XCTAssertEqual(StageTrees.single(IOMMUKernelCmdlineCheck.self, StageTrees.context(root.path))?.level, .warn)
    }
}

final class PersistentCommandLineTests: XCTestCase {
    func testCRLFKernelCmdlineAndGrubCfg() throws {
        let root = try HandMadeRoot("persist-crlf")
        try root.file("/etc/kernel/cmdline", "root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on\r\n")
        let p = try XCTUnwrap(PersistentCommandLine.read(Machine(root: root.path), loader: .proxmoxBootTool(.systemdBoot)))
        XCTAssertEqual(p.line.parameters.map(\.text), ["root=ZFS=rpool/ROOT/pve-1", "boot=zfs", "intel_iommu=on"])
        XCTAssertTrue(p.issues.isEmpty, "\(p.issues)")
        try root.file("/boot/grub/grub.cfg", "menuentry 'Debian' {\r\n\tlinux\t/vmlinuz root=UUID=x ro quiet intel_iommu=on\r\n}\r\n")
        let generated = try XCTUnwrap(GeneratedGrubConfig.firstKernelCommandLine(Machine(root: root.path)))
        XCTAssertEqual(generated.number, 2)
        XCTAssertEqual(generated.line.value("root"), "UUID=x")
        XCTAssertTrue(IOMMUParameters(generated.line).intelOn)
    }
}

extension IOMMUKernelCmdlineCheckTests {
    func testAMDWithoutActiveIOMMUIsANotePointingElsewhere() throws {
        let root = try HandMadeRoot("cmdline-amd-inactive")
        try root.intelHost(cmdline: "ro quiet", iommuActive: false, vendor: "AuthenticAMD", flags: "svm")
        let r = try XCTUnwrap(StageTrees.single(IOMMUKernelCmdlineCheck.self, StageTrees.context(root.path)))
        XCTAssertEqual(r.level, .note)
        XCTAssertTrue(r.summary.en.contains("firmware-iommu-table"), r.summary.en)
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
            RemedyHintTests.assertSays(hint, plan)
            XCTAssertTrue(hint.contains("intel_iommu=on iommu=pt"), hint)
            XCTAssertTrue(hint.contains("/etc/default/grub"), hint)
        }
        XCTAssertFalse(result.summary.en.contains("already has"), result.summary.en)
        XCTAssertFalse(result.hint.en.hasPrefix("Run `update-grub`"), result.hint.en)
        XCTAssertEqual(result.level, .warn, "the next boot loses iommu=pt: \(result.summary.en)")
    }
}
