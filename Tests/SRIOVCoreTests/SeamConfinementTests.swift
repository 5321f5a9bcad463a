import Foundation
import Glibc
import HostAccess
import XCTest
@testable import SRIOVCore

/// The seam confines every read and every write to the root (issue 11, section 1): hostile
/// snapshots, hostile output directories, and a helper thread racing apply.
final class SeamConfinementTests: XCTestCase {
    var base = ""
    var outside: String { base + "/outside" }
    let secret = "root:TOP-SECRET-HASH:19000:0:99999:7:::\n"

    override func setUpWithError() throws {
        base = NSTemporaryDirectory() + "seam-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: outside + "/shadow", contents: Data(secret.utf8))
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: base) }

    /// Every regular file under a directory, with its bytes.
    func allFiles(_ dir: String) -> [String: String] {
        var result: [String: String] = [:]
        guard let e = FileManager.default.enumerator(atPath: dir) else { return result }
        while let relative = e.nextObject() as? String {
            var st = stat()
            guard lstat(dir + "/" + relative, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
            result[relative] = (try? String(contentsOfFile: dir + "/" + relative, encoding: .utf8)) ?? "<binary>"
        }
        return result
    }

    // MARK: - reads

    func testCmdlineLinkedOutOfTheRootIsMissingInTheEvidenceForBothResolutions() throws {
        let root = try ActivationFixtures.sampleHost()
        defer { try? FileManager.default.removeItem(atPath: root) }
        unlink(root + "/proc/cmdline")
        symlink(outside + "/shadow", root + "/proc/cmdline")
        for method in [ConfinedRoot.Method.openat2, .walk] {
            let machine = Machine(root: root, resolution: method)
            let context = CheckContext(machine: machine, inventory: try SysfsInventory.load(machine))
            let r = try XCTUnwrap(IOMMUKernelCmdlineCheck.run(context).first)
            XCTAssertEqual(r.level, .warn, "\(method)")
            XCTAssertEqual(r.evidence.text(.en), ["/proc/cmdline: missing: a symbolic link on its way leads out of the root \(root); not followed"], "\(method)")
            XCTAssertFalse(r.evidence.text(.en).joined().contains("TOP-SECRET"), "\(method)")
        }
    }

    func testSnapshotOfAHostileRootCopiesNothingFromOutsideIt() throws {
        let source = try ActivationFixtures.sampleHost()
        defer { try? FileManager.default.removeItem(atPath: source) }
        try FileManager.default.createDirectory(atPath: source + "/etc/udev/rules.d", withIntermediateDirectories: true)
        symlink(outside + "/shadow", source + "/etc/udev/rules.d/x.rules")
        symlink("../../../../../../../../../../" + outside + "/shadow", source + "/etc/udev/rules.d/y.rules")
        unlink(source + "/proc/cmdline")
        symlink(outside + "/shadow", source + "/proc/cmdline")
        let out = base + "/snap"
        _ = try Snapshot.take(from: Machine(root: source), to: out, now: "2026-12-01T00:00:00Z")
        let files = allFiles(out)
        XCTAssertFalse(files.isEmpty)
        for (path, text) in files { XCTAssertFalse(text.contains("TOP-SECRET"), "\(path) holds the secret") }
        XCTAssertNil(files["etc/udev/rules.d/x.rules"])
        XCTAssertTrue(files["sriov-wizard/manifest.json"]?.contains("leads out of the root") == true, "the manifest says why it was skipped")
    }

    // MARK: - snapshot --output

    func testSnapshotOutputIsCreatedPrivateAndNeverWrittenThroughALink() throws {
        let source = try ActivationFixtures.sampleHost()
        defer { try? FileManager.default.removeItem(atPath: source) }
        let out = base + "/snap"
        _ = try Snapshot.take(from: Machine(root: source), to: out, now: "2026-12-01T00:00:00Z")
        // Files 0600, directories 0700, everywhere.
        var checked = 0
        let e = FileManager.default.enumerator(atPath: out)!
        while let relative = e.nextObject() as? String {
            var st = stat()
            XCTAssertEqual(lstat(out + "/" + relative, &st), 0)
            switch st.st_mode & S_IFMT {
            case S_IFREG: XCTAssertEqual(st.st_mode & 0o7777, 0o600, relative); checked += 1
            case S_IFDIR: XCTAssertEqual(st.st_mode & 0o7777, 0o700, relative); checked += 1
            default: break
            }
        }
        XCTAssertGreaterThan(checked, 20)
        var st = stat()
        stat(out, &st)
        XCTAssertEqual(st.st_mode & 0o7777, 0o700)

        // An earlier snapshot of ours may be written again...
        XCTAssertNoThrow(try Snapshot.take(from: Machine(root: source), to: out, now: "2026-12-01T00:00:01Z"))
        // ...but not through a link planted in it.
        try FileManager.default.createDirectory(atPath: outside + "/etc", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: outside + "/etc/hostname", contents: Data("real\n".utf8))
        try FileManager.default.removeItem(atPath: out + "/etc")
        symlink(outside + "/etc", out + "/etc")
        XCTAssertThrowsError(try Snapshot.take(from: Machine(root: source), to: out, now: "2026-12-01T00:00:02Z")) { error in
            XCTAssertTrue("\(error)".contains("symbolic link inside the output directory"), "\(error)")
        }
        XCTAssertEqual(allFiles(outside + "/etc"), ["hostname": "real\n"], "nothing written through DIR/etc")
    }

    func testNonEmptyOutputThatIsNotASnapshotIsRefused() throws {
        let source = try ActivationFixtures.sampleHost()
        defer { try? FileManager.default.removeItem(atPath: source) }
        let out = base + "/notes"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: out + "/todo.txt", contents: Data("mine\n".utf8))
        XCTAssertThrowsError(try Snapshot.take(from: Machine(root: source), to: out, now: "x")) { error in
            XCTAssertEqual(error as? HostAccessError, .invalidPath(path: out, reason: "the directory is not empty and is not an earlier snapshot (no sriov-wizard/manifest.json); give an empty or new directory"))
        }
        XCTAssertEqual(allFiles(out), ["todo.txt": "mine\n"])
        // A manifest that is a link does not make it ours.
        try FileManager.default.createDirectory(atPath: out + "/sriov-wizard", withIntermediateDirectories: true)
        symlink(outside + "/shadow", out + "/sriov-wizard/manifest.json")
        XCTAssertThrowsError(try Snapshot.take(from: Machine(root: source), to: out, now: "x"))
        XCTAssertEqual(try String(contentsOfFile: outside + "/shadow", encoding: .utf8), secret)
    }

    // MARK: - the apply race

    typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32

    /// A helper thread swaps `etc/modprobe.d` with a link out of the root (renameat2
    /// RENAME_EXCHANGE) in a tight loop while apply writes a file in it, many times: nothing
    /// ever lands outside the root. Every escape is counted (and removed) after each apply.
    /// With a check-then-open on two path lookups instead of the held dirfd, it failed in 5 of
    /// 5 runs (4-16 escapes in 2,000 applies; SECURITY.md, "The apply race test"); with 150
    /// applies on ext4 it failed in only 7 of 13. The tree is on tmpfs when there is one, so
    /// the journal's fsyncs are cheap and 2,000 applies take about 10 s.
    func testApplyRacingADirectorySwapNeverWritesOutsideTheRoot() throws {
        var isDirectory: ObjCBool = false
        let fast = FileManager.default.fileExists(atPath: "/dev/shm", isDirectory: &isDirectory) && isDirectory.boolValue
        let scratch = fast ? "/dev/shm/seam-race-\(UUID().uuidString)" : base + "/race"
        defer { if fast { try? FileManager.default.removeItem(atPath: scratch) } }
        let root = scratch + "/root"
        let target = scratch + "/outside-modprobe"
        try FileManager.default.createDirectory(atPath: root + "/etc/modprobe.d", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        XCTAssertEqual(symlink(target, root + "/etc/swap"), 0)
        let escaped = target + "/sriov-wizard-igb.conf"
        let symbol = try XCTUnwrap(dlsym(dlopen(nil, RTLD_NOW), "renameat2"))
        let renameat2 = unsafeBitCast(symbol, to: RenameAt2.self)
        final class Flag: @unchecked Sendable { var stop = false; var swaps = 0 }
        let flag = Flag()
        let a = root + "/etc/modprobe.d", b = root + "/etc/swap"
        let swapper = Thread {
            while !flag.stop {
                if renameat2(AT_FDCWD, a, AT_FDCWD, b, 2 /* RENAME_EXCHANGE */) == 0 { flag.swaps += 1 }
            }
        }
        swapper.start()
        let machine = Machine(root: root, commands: NoCommands())
        let path = "/etc/modprobe.d/sriov-wizard-igb.conf"
        var written = 0, refused = 0, escapes = 0
        for i in 0..<2000 {
            let before = try? FileEditor(machine: machine).state(of: path).bytes
            let plan = Plan(title: LocalizedText(en: "race", es: "race"), steps: [.edit(FileEdit(path: path, before: before ?? nil, after: Array("options igb max_vfs=\(i)\n".utf8), reason: LocalizedText(en: "race", es: "race")))])
            let outcome = try PlanExecutor(machine: machine, performsHostActions: false).apply(plan, command: ["race"])
            if outcome.succeeded { written += 1 } else { refused += 1 }
            if unlink(escaped) == 0 { escapes += 1 }
        }
        flag.stop = true
        while !swapper.isFinished { usleep(1000) }
        XCTAssertGreaterThan(flag.swaps, 50, "the helper really swapped")
        XCTAssertGreaterThan(written, 0, "some applies got through between swaps")
        XCTAssertEqual(escapes, 0, "apply wrote outside the root \(escapes) times (\(written) written, \(refused) refused, \(flag.swaps) swaps)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: target), [], "apply left files outside the root")
    }

    // MARK: - crafted journals

    /// A journal apply did not write: each foreign step refuses the whole rollback, named,
    /// before anything changes; a symlinked journal directory is not read.
    func testRollbackRefusesACraftedJournalNamingTheStep() throws {
        let root = try ActivationFixtures.sampleHost()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let before = ActivationFixtures.files(root)
        let machine = Machine(root: root, commands: NoCommands())
        func crafted(_ step: JournalStep) throws -> String {
            let journal = try Journal.create(machine)
            var genuine = JournalStep(index: 0, kind: .file, description: "create /etc/modprobe.d/sriov-wizard-igb.conf",
                                      path: "/etc/modprobe.d/sriov-wizard-igb.conf", state: .done)
            genuine.existed = false
            genuine.mode = 0o644
            var evil = step
            evil.index = 1
            try journal.save(JournalManifest(id: journal.id, created: "t", root: root, command: ["apply"], summary: "s",
                                             state: .applied, steps: [genuine, evil]))
            try journal.storeBackup(0, [])
            try journal.storeBackup(1, Array("ssh-ed25519 AAAA attacker\n".utf8))
            return journal.id
        }
        var keys = JournalStep(index: 1, kind: .file, description: "create /root/.ssh/authorized_keys", path: "/root/.ssh/authorized_keys", state: .done)
        keys.existed = true
        keys.mode = 0o600
        var shadow = JournalStep(index: 1, kind: .sysfs, description: "write", path: "/etc/shadow", state: .done)
        shadow.previousValue = "root::0:0"
        var escape = JournalStep(index: 1, kind: .sysfs, description: "write", path: "/sys/bus/pci/devices/0000:01:00.0/../../../../etc/shadow", state: .done)
        escape.previousValue = "0"
        var shell = JournalStep(index: 1, kind: .command, description: "run", argv: ["/bin/sh", "-c", "touch /PWNED"], state: .done)
        shell.rerunOnRollback = true
        var setuid = JournalStep(index: 1, kind: .file, description: "edit", path: "/etc/modules-load.d/vfio.conf", state: .done)
        setuid.existed = true
        setuid.mode = 0o4755
        let cases: [(JournalStep, String)] = [
            (keys, "step 2 (create /root/.ssh/authorized_keys): /root/.ssh/authorized_keys is not a file sriov-wizard apply edits"),
            (shadow, "step 2 (write): /etc/shadow is not a sriov_numvfs or sriov_drivers_autoprobe attribute of a PCI function"),
            (escape, "step 2 (write): /sys/bus/pci/devices/0000:01:00.0/../../../../etc/shadow is not a sriov_numvfs or sriov_drivers_autoprobe attribute of a PCI function"),
            (shell, "step 2 (run): `/bin/sh -c 'touch /PWNED'` is not a command sriov-wizard apply runs"),
            (setuid, "step 2 (edit): mode 4755 for /etc/modules-load.d/vfio.conf is not one apply records (no setuid, setgid or sticky bits)"),
        ]
        for (step, message) in cases {
            let id = try crafted(step)
            XCTAssertThrowsError(try Rollback(machine: machine, performsHostActions: true).plan(id: id)) { error in
                let text = (error as? ActivationError)?.message ?? "\(error)"
                XCTAssertTrue(text.contains("nothing is rolled back and nothing was changed"), text)
                XCTAssertTrue(text.hasSuffix(message), text)
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/root/.ssh"))
        XCTAssertEqual(ActivationFixtures.files(root), before)
        // A genuine planned command passes the policy; its look-alikes do not.
        XCTAssertTrue(JournalPolicy.isPlannedCommand(["/usr/sbin/ip", "link", "set", "enp1s0", "vf", "0", "mac", "02:00:00:00:00:01"]))
        XCTAssertFalse(JournalPolicy.isPlannedCommand(["/usr/sbin/ip", "link", "set", "enp1s0", "vf", "0", "mac", "02:00:00:00:00:01;x"]))
        XCTAssertTrue(JournalPolicy.isPlannedCommand(["qm", "set", "100", "-hostpci0", "0000:01:10.0,pcie=1"]))
        XCTAssertFalse(JournalPolicy.isPlannedCommand(["qm", "set", "100", "-hookscript", "local:snippets/x"]))
        // A journal directory that is a link is not opened.
        let real = try Journal.create(machine)
        let linkID = "20990101-000000-1"
        symlink(root + Journal.directory + "/" + real.id, root + Journal.directory + "/" + linkID)
        XCTAssertThrowsError(try Journal.open(machine, id: linkID)) { error in
            XCTAssertTrue("\(error)".contains("symbolic link"), "\(error)")
        }
        XCTAssertFalse(Journal.ids(machine).contains(linkID))
    }
}
