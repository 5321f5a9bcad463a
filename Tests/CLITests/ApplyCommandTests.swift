import Foundation
import HostAccess
import XCTest

/// `apply`, `rollback`, `history` run as a user would, on copies of the sample hosts.
final class ApplyCommandTests: XCTestCase {
    var root = ""

    override func setUpWithError() throws {
        root = CLI.temporaryDirectory()
        try FileManager.default.copyItem(atPath: CLI.resource("sample-host"), toPath: root)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    /// Path -> bytes of every file, the journal left out.
    func checksums(_ dir: String, includeJournal: Bool = false) -> [String: Data] {
        var result: [String: Data] = [:]
        let e = FileManager.default.enumerator(atPath: dir)
        while let p = e?.nextObject() as? String {
            if !includeJournal, p.hasPrefix("var/lib/sriov-wizard") { continue }
            let full = dir + "/" + p
            var isDir: ObjCBool = false
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: full)) != nil { continue }
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue {
                result[p] = FileManager.default.contents(atPath: full)
            }
        }
        return result
    }

    func testDryRunChangesNothing() throws {
        let before = checksums(root, includeJournal: true)
        let r = try CLI.run(["apply", "--root", root, "--device", "0000:01:00.0", "--vfs", "4", "--dry-run"])
        XCTAssertEqual(r.status, 0, r.stderrText)
        XCTAssertTrue(r.stdoutText.contains("+ACTION==\"add|bind\", SUBSYSTEM==\"pci\", KERNEL==\"0000:01:00.0\", ATTR{sriov_numvfs}=\"4\""), r.stdoutText)
        XCTAssertTrue(r.stdoutText.contains("Dry run: nothing was changed."))
        // The remedy's explanation, as the checks' hints and the wizard say it.
        XCTAssertTrue(r.stdoutText.hasPrefix("Create 4 VFs on 0000:01:00.0 now and at every boot (sysfs sriov_numvfs and a udev rule).\n"), r.stdoutText)
        XCTAssertEqual(checksums(root, includeJournal: true), before)
    }

    func testApplyThenRollbackGivesByteIdenticalFiles() throws {
        let before = checksums(root)
        var r = try CLI.run(["apply", "--root", root, "--device", "0000:01:00.0", "--vfs", "4", "--yes"])
        XCTAssertEqual(r.status, 0, r.stderrText)
        XCTAssertTrue(r.stdoutText.contains("would run on the host: run udevadm control --reload"), r.stdoutText)
        r = try CLI.run(["apply", "--root", root, "--device", "0000:01:00.0", "--vfs", "7", "--method", "modprobe", "--yes"])
        XCTAssertEqual(r.status, 0, r.stderrText)
        XCTAssertNotEqual(checksums(root), before)
        r = try CLI.run(["apply", "--root", root, "--device", "0000:01:00.0", "--vfs", "7", "--method", "modprobe", "--yes"])
        XCTAssertTrue(r.stdoutText.contains("Already applied"), r.stdoutText)
        r = try CLI.run(["history", "--root", root])
        XCTAssertEqual(r.stdoutText.split(separator: "\n").count, 3, r.stdoutText)
        r = try CLI.run(["rollback", "--root", root, "--last", "--dry-run"])
        XCTAssertEqual(r.status, 0, r.stderrText)
        XCTAssertTrue(r.stdoutText.contains("remove /etc/modprobe.d/sriov-wizard-igb.conf"), r.stdoutText)
        for _ in 0..<2 {
            r = try CLI.run(["rollback", "--root", root, "--last", "--yes"])
            XCTAssertEqual(r.status, 0, r.stderrText)
        }
        XCTAssertEqual(checksums(root), before)
        r = try CLI.run(["rollback", "--root", root, "--last", "--yes"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderrText.contains("no apply to roll back"), r.stderrText)
        XCTAssertEqual(try CLI.run(["history", "--root", root]).stdoutText.components(separatedBy: "rolled-back").count, 3)
    }

    func testTooManyVFsNamesTheMaximum() throws {
        let r = try CLI.run(["apply", "--root", root, "--device", "0000:01:00.0", "--vfs", "8", "--yes"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderrText.contains("at most 7"), r.stderrText)
    }

    func testRefusesWithoutATerminalOrYes() throws {
        let before = checksums(root, includeJournal: true)
        let r = try CLI.run(["apply", "--root", root, "--device", "0000:01:00.0", "--vfs", "4"])
        XCTAssertEqual(r.status, 5)
        XCTAssertTrue(r.stderrText.contains("--yes"), r.stderrText)
        XCTAssertEqual(checksums(root, includeJournal: true), before)
    }

    func testLockHeldExits75() throws {
        let lock = try ExclusiveLock.acquire(Machine(root: root))
        let r = try CLI.run(["apply", "--root", root, "--device", "0000:01:00.0", "--vfs", "4", "--yes"])
        withExtendedLifetime(lock) {}
        XCTAssertEqual(r.status, 75, r.stderrText)
        XCTAssertTrue(r.stderrText.contains("another sriov-wizard"), r.stderrText)
        let es = try CLI.run(["apply", "--root", root, "--device", "0000:01:00.0", "--vfs", "4", "--yes", "--lang", "es"])
        withExtendedLifetime(lock) {}
        XCTAssertEqual(es.status, 75, es.stderrText)
        XCTAssertTrue(es.stderrText.contains("otro apply o rollback de sriov-wizard está en curso"), es.stderrText)
        XCTAssertEqual(EnglishDetector.findings(es.stderrText), [], es.stderrText)
    }

    func testLiveHostNeedsRoot() throws {
        var argv = [CLI.binary, "apply", "--device", "0000:01:00.0", "--vfs", "1", "--yes"]
        if ThisProcess.isRoot {
            guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { throw XCTSkip("needs setpriv to drop root") }
            argv = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + argv
        }
        let r = try LiveCommandRunner(environment: CLI.sanitizerEnvironment).run(argv, timeout: 60, outputLimit: 1 << 20)
        if r.status == 126 || r.stderrText.contains("Permission denied") { throw XCTSkip("binary not executable as nobody here") }
        XCTAssertEqual(r.status, 77, r.stderrText)
        XCTAssertTrue(r.stderrText.contains("needs root"), r.stderrText)
    }

    func testUsageErrors() throws {
        XCTAssertEqual(try CLI.run(["apply", "--root", root]).status, 64)
        XCTAssertEqual(try CLI.run(["apply", "--root", root, "--device", "0000:01:00.0"]).status, 64)
        XCTAssertEqual(try CLI.run(["rollback", "--root", root]).status, 64)
    }

    func testPassthroughPlansAFreeSlotAndRefusesAVFInUse() throws {
        let vfsRoot = CLI.temporaryDirectory()
        try FileManager.default.copyItem(atPath: CLI.resource("sample-host-vfs"), toPath: vfsRoot)
        defer { try? FileManager.default.removeItem(atPath: vfsRoot) }
        try FileManager.default.createDirectory(atPath: vfsRoot + "/etc/pve/qemu-server", withIntermediateDirectories: true)
        try "machine: q35\nhostpci0: 0000:02:00.0\n".write(toFile: vfsRoot + "/etc/pve/qemu-server/100.conf", atomically: true, encoding: .utf8)
        try "hostpci0: 0000:01:10.2,pcie=1\n".write(toFile: vfsRoot + "/etc/pve/qemu-server/101.conf", atomically: true, encoding: .utf8)
        var r = try CLI.run(["apply", "--root", vfsRoot, "--passthrough", "100", "--vf", "0000:01:10.0", "--yes"])
        XCTAssertEqual(r.status, 0, r.stderrText)
        XCTAssertTrue(r.stdoutText.contains("run qm set 100 -hostpci1 0000:01:10.0,pcie=1"), r.stdoutText)
        r = try CLI.run(["apply", "--root", vfsRoot, "--passthrough", "100", "--vf", "0000:01:10.2", "--dry-run"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderrText.contains("already passed to VM 101"), r.stderrText)
        r = try CLI.run(["apply", "--root", vfsRoot, "--passthrough", "999", "--vf", "0000:01:10.0", "--dry-run"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderrText.contains("VM 999 does not exist"), r.stderrText)
    }

    func testPassthroughAutoAndMappingOnASnapshotListTheCommands() throws {
        let vfsRoot = CLI.temporaryDirectory()
        try FileManager.default.copyItem(atPath: CLI.resource("sample-host-vfs"), toPath: vfsRoot)
        defer { try? FileManager.default.removeItem(atPath: vfsRoot) }
        try FileManager.default.createDirectory(atPath: vfsRoot + "/etc/pve/qemu-server", withIntermediateDirectories: true)
        try "name: debian\nostype: l26\nhostpci0: 0000:01:10.0\n".write(toFile: vfsRoot + "/etc/pve/qemu-server/100.conf", atomically: true, encoding: .utf8)
        var r = try CLI.run(["apply", "--root", vfsRoot, "--passthrough", "100", "--vf", "auto", "--device", "0000:01:00.0", "--yes"])
        XCTAssertEqual(r.status, 0, r.stderrText)
        XCTAssertTrue(r.stdoutText.contains("run qm set 100 -hostpci1 0000:01:10.2  (would run on the host)"), r.stdoutText)
        XCTAssertTrue(r.stdoutText.contains("i440fx"), r.stdoutText)
        r = try CLI.run(["apply", "--root", vfsRoot, "--mapping", "igb-vfs", "--device", "0000:01:00.0", "--passthrough", "100", "--dry-run"])
        XCTAssertEqual(r.status, 0, r.stderrText)
        XCTAssertTrue(r.stdoutText.contains("run pvesh create /cluster/mapping/pci --id igb-vfs --map node=sriov-lab,path=0000:01:10.2,id=8086:10ca,iommugroup=7 --map"), r.stdoutText)
        XCTAssertTrue(r.stdoutText.contains("run qm set 100 -hostpci1 mapping=igb-vfs  (would run on the host)"), r.stdoutText)
        for argv in [["--passthrough", "100"], ["--passthrough", "100", "--vf", "auto", "--mapping", "x1"], ["--mapping", "igb-vfs"],
                     ["--vf", "auto"], ["--device", "0000:01:00.0", "--method", "sysfs", "--vf", "auto", "--passthrough", "100"]] {
            XCTAssertEqual(try CLI.run(["apply", "--root", vfsRoot] + argv + ["--dry-run"]).status, 64, "\(argv)")
        }
        let help = try CLI.run(["apply", "--help"])
        XCTAssertTrue(help.stdoutText.contains("apply --passthrough 100 --vf auto --device 0000:01:00.0"), help.stdoutText)
        XCTAssertTrue(help.stdoutText.contains("apply --mapping igb-vfs --device 0000:01:00.0"), help.stdoutText)
    }
}
