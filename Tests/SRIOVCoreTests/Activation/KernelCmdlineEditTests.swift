import Foundation
import HostAccess
import XCTest
@testable import SRIOVCore

/// Golden diffs of the IOMMU edit on copies of real /etc/default/grub and /etc/kernel/cmdline
/// files: only the IOMMU words change, every other byte stays.
final class KernelCmdlineEditTests: XCTestCase {
    let intel = KernelCmdlinePlanner.Change.iommu(vendor: .intel, intelOnByDefault: false)

    func grubDiff(_ name: String, _ change: KernelCmdlinePlanner.Change) throws -> String {
        let text = try ActivationFixtures.text(name)
        let file = GrubDefaults(text: text, path: "/etc/default/grub")
        let present = Set(GrubConfiguration(files: [file]).kernelCommandLine.parameters.map(\.text)).subtracting(change.remove)
        let new = try KernelCmdlinePlanner.editGrub(file, change, addHere: true, present: present)
        return UnifiedDiff.make(old: text, new: new ?? text, path: "/etc/default/grub")
    }

    func testDebianDefault() throws {
        try ActivationFixtures.assertGolden(try grubDiff("grub-debian12", intel), "grub-debian12.intel.diff")
    }

    func testProxmoxDefaultOnAMD() throws {
        let amd = KernelCmdlinePlanner.Change.iommu(vendor: .amd, intelOnByDefault: false)
        try ActivationFixtures.assertGolden(try grubDiff("grub-proxmox8", amd), "grub-proxmox8.amd.diff")
    }

    func testOddQuotingKeepsCommentCRLFAndSpacing() throws {
        let diff = try grubDiff("grub-odd", intel)
        try ActivationFixtures.assertGolden(diff, "grub-odd.intel.diff")
        // Only the last GRUB_CMDLINE_LINUX_DEFAULT gets the words; the comment stays.
        XCTAssertTrue(diff.contains("+GRUB_CMDLINE_LINUX_DEFAULT='quiet  splash intel_iommu=on iommu=pt'   # tuned by me"), diff)
        XCTAssertTrue(diff.contains("+GRUB_CMDLINE_LINUX=\"console=ttyS0,115200\"\r\n"), diff)
    }

    func testUnquotedValueGetsQuotesWhenItGrows() throws {
        let diff = try grubDiff("grub-unquoted", intel)
        XCTAssertTrue(diff.contains("+GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\""), diff)
    }

    func testMixedQuotingIsRefusedWithItsLocation() throws {
        XCTAssertThrowsError(try grubDiff("grub-mixed", intel)) { error in
            XCTAssertTrue("\(error)".contains("/etc/default/grub:1"), "\(error)")
        }
    }

    func testAlreadyAppliedChangesNothing() throws {
        let text = "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\n"
        let file = GrubDefaults(text: text)
        let present = Set(GrubConfiguration(files: [file]).kernelCommandLine.parameters.map(\.text))
        XCTAssertNil(try KernelCmdlinePlanner.editGrub(file, intel, addHere: true, present: present))
    }

    func testKernelCmdlineFiles() throws {
        let proxmox = try ActivationFixtures.text("kernel-cmdline-proxmox")
        let noEOL = try ActivationFixtures.text("kernel-cmdline-noeol")
        let diff = UnifiedDiff.make(old: proxmox, new: KernelCmdlinePlanner.editKernelCmdline(proxmox, intel), path: "/etc/kernel/cmdline")
            + UnifiedDiff.make(old: noEOL, new: KernelCmdlinePlanner.editKernelCmdline(noEOL, intel), path: "/etc/kernel/cmdline")
        try ActivationFixtures.assertGolden(diff, "kernel-cmdline.intel.diff")
        XCTAssertNil(KernelCmdlinePlanner.editKernelCmdline("root=/dev/sda1 intel_iommu=on iommu=pt\n", intel))
    }

    /// The whole planner on a snapshot with the Debian file: GRUB detected, update-grub planned.
    func testPlanOnASnapshot() throws {
        let root = try ActivationFixtures.sampleHost()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/etc/default", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: ActivationFixtures.directory + "/grub-debian12", toPath: root + "/etc/default/grub")
        let plan = try KernelCmdlinePlanner.plan(context: try ActivationFixtures.context(root))
        XCTAssertEqual(plan.steps.count, 2)
        guard case .edit(let edit) = plan.steps[0], case .command(let command) = plan.steps[1] else { return XCTFail("\(plan.steps)") }
        XCTAssertEqual(edit.path, "/etc/default/grub")
        XCTAssertEqual(command.argv, ["update-grub"])
        XCTAssertTrue(String(decoding: edit.after ?? [], as: UTF8.self).contains("iommu=pt"))
    }

    /// A Proxmox host on ZFS booted with UEFI: proxmox-boot-tool manages the ESPs and its
    /// recorded status says uefi, so systemd-boot's /etc/kernel/cmdline is edited (not the
    /// /etc/default/grub that such hosts also have) and `proxmox-boot-tool refresh` follows;
    /// when the status says grub, /etc/default/grub is edited and the same refresh follows.
    func testPlanOnAProxmoxBootToolSnapshot() throws {
        for mode in ["uefi", "grub"] {
            let root = try ActivationFixtures.sampleHost()
            defer { try? FileManager.default.removeItem(atPath: root) }
            let fm = FileManager.default
            try fm.createDirectory(atPath: root + "/etc/kernel", withIntermediateDirectories: true)
            try fm.createDirectory(atPath: root + "/etc/default", withIntermediateDirectories: true)
            try fm.createDirectory(atPath: root + "/sys/firmware/efi/efivars", withIntermediateDirectories: true)
            try "1234-ABCD\n".write(toFile: root + BootLoader.proxmoxUUIDsPath, atomically: true, encoding: .utf8)
            try fm.copyItem(atPath: ActivationFixtures.directory + "/kernel-cmdline-proxmox", toPath: root + BootLoader.kernelCmdlinePath)
            try fm.copyItem(atPath: ActivationFixtures.directory + "/grub-proxmox8", toPath: root + "/etc/default/grub")
            let commands = root + RecordedCommandRunner.directory
            try fm.createDirectory(atPath: commands, withIntermediateDirectories: true)
            // `proxmox-boot-tool status` as Proxmox VE 8 prints it.
            try """
                Re-executing '/usr/sbin/proxmox-boot-tool' in new private mount namespace..
                System currently booted with \(mode == "uefi" ? "uefi" : "legacy bios")
                1234-ABCD is configured with: \(mode) (versions: 6.8.12-4-pve, 6.8.4-2-pve)

                """.write(toFile: commands + "/" + RecordedCommandRunner.key(for: ["proxmox-boot-tool", "status"]) + ".stdout", atomically: true, encoding: .utf8)
            let plan = try KernelCmdlinePlanner.plan(context: try ActivationFixtures.context(root))
            XCTAssertEqual(plan.steps.map(\.summary.en), [
                "edit " + (mode == "uefi" ? BootLoader.kernelCmdlinePath : "/etc/default/grub"),
                "run proxmox-boot-tool refresh",
            ], mode)
            guard case .edit(let edit) = plan.steps.first else { return XCTFail(mode) }
            let after = String(decoding: edit.after ?? [], as: UTF8.self)
            XCTAssertTrue(after.contains("intel_iommu=on") && after.contains("iommu=pt"), after)
            if mode == "uefi" { XCTAssertEqual(after, "root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on iommu=pt\n") }
        }
    }
}
