import HostAccess
import XCTest
@testable import SRIOVCore

final class SnapshotTests: XCTestCase {
    func testVMConfigsKeepOnlyPassthroughLinesAndNoSecrets() throws {
        let base = "/var/tmp/sriov-snapshot-test-\(getpid())"
        defer { _ = try? Machine(root: "/").run(["rm", "-rf", base]) }
        let source = try TreeWriter(root: base + "/src")
        try source.write("""
            boot: order=scsi0
            cipassword: $5$secret$hash
            sshkeys: ssh-rsa%20AAAA
            description: root password is hunter2
            hostpci0: 0000:01:10.0,pcie=1
            machine: q35
            name: win11

            [before-upgrade]
            hostpci0: 0000:01:10.2,pcie=1
            cipassword: old
            """, to: "/etc/pve/qemu-server/100.conf")
        try source.makeDirectory("/sys/bus/pci/devices")
        _ = try Snapshot.take(from: Machine(root: base + "/src", commands: NoCommands()), to: base + "/out", now: "2026-01-01T00:00:00Z")
        let copied = try Machine(root: base + "/out").readText("/etc/pve/qemu-server/100.conf")
        XCTAssertEqual(copied, "hostpci0: 0000:01:10.0,pcie=1\nmachine: q35\nname: win11\n[before-upgrade]\nhostpci0: 0000:01:10.2,pcie=1\n")
        for secret in ["secret", "AAAA", "hunter2", "cipassword", "old"] { XCTAssertFalse(copied.contains(secret), secret) }
    }

    /// `qm list` is recorded, so a snapshot tells which VMs run; a snapshot without it (or a
    /// host without qm) says "unknown", never "stopped".
    func testQMListIsRecordedAndGivesRunState() throws {
        struct QMList: CommandRunner {
            func run(_ argv: [String], timeout: Double, outputLimit: Int) throws(HostAccessError) -> CommandResult {
                guard argv == ["qm", "list"] else { throw HostAccessError.commandNotFound(command: argv[0]) }
                let text = "      VMID NAME                 STATUS     MEM(MB)    BOOTDISK(GB) PID\n       100 win11                running    4096              64.00 1234\n"
                return CommandResult(argv: argv, status: 0, stdout: Array(text.utf8), stderr: [])
            }
        }
        let base = "/var/tmp/sriov-snapshot-qmlist-\(getpid())"
        defer { _ = try? Machine(root: "/").run(["rm", "-rf", base]) }
        let source = try TreeWriter(root: base + "/src")
        try source.write("name: win11\nostype: win11\n", to: "/etc/pve/qemu-server/100.conf")
        try source.write("name: other\n", to: "/etc/pve/qemu-server/101.conf")
        try source.makeDirectory("/sys/bus/pci/devices")
        let result = try Snapshot.take(from: Machine(root: base + "/src", commands: QMList()), to: base + "/out", now: "2026-01-01T00:00:00Z")
        XCTAssertTrue(result.commandsRecorded.contains("qm list"), "\(result.commandsRecorded)")
        let config = ProxmoxPassthroughConfig.read(Machine(root: base + "/out"))
        XCTAssertTrue(config.runStateKnown)
        XCTAssertEqual(config.vm("100")?.state, .running)
        XCTAssertEqual(config.vm("101")?.state, .unknown, "not listed")
        XCTAssertEqual(config.vm("100")?.ostype, "win11")

        _ = try Snapshot.take(from: Machine(root: base + "/src", commands: NoCommands()), to: base + "/out2", now: "2026-01-01T00:00:00Z")
        let without = ProxmoxPassthroughConfig.read(Machine(root: base + "/out2"))
        XCTAssertFalse(without.runStateKnown)
        XCTAssertEqual(without.vm("100")?.state, .unknown)
    }

    /// git keeps no empty directories: an empty /sys/class/iommu (no IOMMU) must still be an
    /// empty directory after the snapshot is committed somewhere, not a missing one.
    func testEmptyDirectoriesGetAMarkerThatListHides() throws {
        let base = "/var/tmp/sriov-snapshot-empty-\(getpid())"
        defer { _ = try? Machine(root: "/").run(["rm", "-rf", base]) }
        let source = try TreeWriter(root: base + "/src")
        try source.makeDirectory("/sys/class/iommu")
        try source.makeDirectory("/sys/kernel/iommu_groups")
        try source.makeDirectory("/sys/bus/pci/devices")
        _ = try Snapshot.take(from: Machine(root: base + "/src", commands: NoCommands()), to: base + "/out", now: "2026-01-01T00:00:00Z")
        let out = Machine(root: base + "/out")
        XCTAssertTrue(out.exists("/sys/class/iommu/" + Machine.emptyDirectoryMarker))
        XCTAssertTrue(out.exists("/sys/kernel/iommu_groups/" + Machine.emptyDirectoryMarker))
        XCTAssertEqual(try out.list("/sys/class/iommu"), [])
        XCTAssertEqual(try out.list("/sys/kernel/iommu_groups"), [])
    }
}

/// The Proxmox version has one reader: its command is the one the snapshot records.
final class ProxmoxVersionTests: XCTestCase {
    func testSnapshotRecordsTheCommandTheReaderRuns() {
        XCTAssertTrue(Snapshot.commands.contains(ProxmoxVersion.command))
    }

    func testParse() {
        XCTAssertEqual(ProxmoxVersion.parse("proxmox-ve: 8.2.0 (running kernel: 6.8.12-4-pve)\npve-manager: 8.2.7 (running version: 8.2.7/3e0176e6bb2ade3b)\n"),
                       "pve-manager/8.2.7/3e0176e6bb2ade3b (running kernel: 6.8.12-4-pve)")
        XCTAssertEqual(ProxmoxVersion.parse("pve-manager: 9.0.3 (running version: 9.0.3/abc)\n"), "pve-manager/9.0.3/abc")
        XCTAssertEqual(ProxmoxVersion.parse("pve-manager/8.2.7/3e0176e6bb2ade3b (running kernel: 6.8.12-4-pve)\n"),
                       "pve-manager/8.2.7/3e0176e6bb2ade3b (running kernel: 6.8.12-4-pve)")
        XCTAssertNil(ProxmoxVersion.parse("\n"))
    }
}
