import XCTest
import HostAccess
@testable import SRIOVCore

/// `BootLoaderDetection` (Host/BootLoader.swift): GRUB, proxmox-boot-tool with systemd-boot or GRUB,
/// nothing known.
final class BootLoaderTests: XCTestCase {
    func testBootLoaderDetection() throws {
        let grubHost = try HandMadeRoot("boot-grub")
        try grubHost.file("/etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n")
        XCTAssertEqual(BootLoaderDetection.detect(Machine(root: grubHost.path)).loader, .grub)

        let zfs = try HandMadeRoot("boot-pbt")
        try zfs.file("/etc/kernel/proxmox-boot-uuids", "5D4C-1234\n")
        try zfs.file("/etc/kernel/cmdline", "root=ZFS=rpool/ROOT/pve-1 boot=zfs\n")
        try zfs.directory("/sys/firmware/efi")
        try zfs.command(["proxmox-boot-tool", "status"], stdout: "System currently booted with uefi\n5D4C-1234 is configured with: uefi (versions: 6.8.12-4-pve)\n")
        let detected = BootLoaderDetection.detect(Machine(root: zfs.path))
        XCTAssertEqual(detected.loader, .proxmoxBootTool(.systemdBoot))
        XCTAssertTrue(detected.efi)
        XCTAssertEqual(detected.loader.cmdlineFile, "/etc/kernel/cmdline")
        XCTAssertTrue(detected.evidence.text(.en).contains { $0.contains("is configured with: uefi") })

        let legacy = try HandMadeRoot("boot-pbt-grub")
        try legacy.file("/etc/kernel/proxmox-boot-uuids", "# comment\nAAAA-BBBB\n")
        try legacy.file("/etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n")
        try legacy.command(["proxmox-boot-tool", "status"], stdout: "AAAA-BBBB is configured with: grub (versions: 6.8.12-4-pve)\n")
        XCTAssertEqual(BootLoaderDetection.detect(Machine(root: legacy.path)).loader, .proxmoxBootTool(.grub))

        let nothing = try HandMadeRoot("boot-none")
        XCTAssertEqual(BootLoaderDetection.detect(Machine(root: nothing.path)).loader, .unknown)
    }
}
