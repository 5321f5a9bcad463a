import Foundation
import HostAccess
import XCTest
@testable import SRIOVCore

/// Files the checks read that snapshots did not copy before the reads were declared
/// (`HostReads`): each is copied now, the ones that can hold secrets cut to what is read.
final class SnapshotNewReadsTests: XCTestCase {
    func testReadsOnceMissingFromSnapshotsAreCopiedAndFiltered() throws {
        let base = NSTemporaryDirectory() + "sriov-snapshot-new-reads-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: base) }
        let src = base + "/src"
        func write(_ text: String, _ path: String) throws {
            let full = src + path
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: false, encoding: .utf8)
        }
        let release = "6.8.12-4-pve"
        try write(release + "\n", "/proc/sys/kernel/osrelease")
        try write("set superusers=\"root\"\npassword_pbkdf2 root grub.pbkdf2.sha512.10000.GRUBHASHSECRET\n\tlinux /vmlinuz-\(release) root=/dev/sda1 intel_iommu=on\n", "/boot/grub/grub.cfg")
        try write("CONFIG_INTEL_IOMMU_DEFAULT_ON=y\nCONFIG_LOCALVERSION=\"KCONFIGNOTREAD\"\n", "/boot/config-" + release)
        try write("kernel/drivers/vfio/vfio.ko\n", "/lib/modules/\(release)/modules.builtin")
        try write("", "/lib/modules/\(release)/updates/dkms/i915.ko")
        try write("options vfio_pci ids=8086:10ca\n", "/run/modprobe.d/vfio.conf")
        try write("options igb max_vfs=4\n", "/usr/local/lib/modprobe.d/igb.conf")
        try write("options ixgbe max_vfs=2\n", "/lib/modprobe.d/ixgbe.conf")
        try write("vfio-pci\n", "/run/modules-load.d/vfio.conf")
        try write("vfio\n", "/usr/local/lib/modules-load.d/vfio.conf")
        try write("vfio_iommu_type1\n", "/lib/modules-load.d/vfio.conf")
        try write("ACTION==\"add\", SUBSYSTEM==\"net\"\n", "/run/udev/rules.d/70-sriov.rules")
        try write("Y\n", "/sys/module/iommufd/parameters/dummy")

        _ = try Snapshot.take(from: Machine(root: src), to: base + "/out", now: "2026-01-31T12:00:00Z")
        let out = Machine(root: base + "/out")
        for path in ["/boot/grub/grub.cfg", "/boot/config-" + release, "/lib/modules/\(release)/modules.builtin",
                     "/lib/modules/\(release)/updates/dkms/i915.ko", "/run/modprobe.d/vfio.conf", "/usr/local/lib/modprobe.d/igb.conf",
                     "/lib/modprobe.d/ixgbe.conf", "/run/modules-load.d/vfio.conf", "/usr/local/lib/modules-load.d/vfio.conf",
                     "/lib/modules-load.d/vfio.conf", "/run/udev/rules.d/70-sriov.rules", "/sys/module/iommufd/parameters/dummy"] {
            XCTAssertEqual(out.kind(path), .regular, path)
        }
        let grub = try out.readText("/boot/grub/grub.cfg")
        XCTAssertTrue(grub.contains("intel_iommu=on"), grub)
        XCTAssertFalse(grub.contains("GRUBHASHSECRET"), grub)
        let config = try out.readText("/boot/config-" + release)
        XCTAssertTrue(config.contains("CONFIG_INTEL_IOMMU_DEFAULT_ON=y"), config)
        XCTAssertFalse(config.contains("KCONFIGNOTREAD"), config)
        // The dkms module is kept by name only.
        XCTAssertEqual(try out.read("/lib/modules/\(release)/updates/dkms/i915.ko").count, 0)
    }
}
