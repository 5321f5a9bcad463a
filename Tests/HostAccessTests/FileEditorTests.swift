import Foundation
import Glibc
import XCTest
@testable import HostAccess
import HostAccessTestSupport

final class FileEditorTests: XCTestCase {
    var root = ""

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "editor-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root + "/etc/udev/rules.d", withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    func write(_ text: String, _ path: String, mode: mode_t = 0o644) {
        FileManager.default.createFile(atPath: root + path, contents: Data(text.utf8))
        chmod(root + path, mode)
    }

    func testReplaceKeepsModeAndLeavesNoTemporaryFile() throws {
        write("old\n", "/etc/x.conf", mode: 0o640)
        let editor = FileEditor(machine: Machine(root: root))
        let state = try editor.state(of: "/etc/x.conf")
        XCTAssertEqual(state.bytes, Array("old\n".utf8))
        XCTAssertEqual(state.mode, 0o640)
        try editor.replace("/etc/x.conf", with: Array("new\n".utf8), mode: state.mode, uid: state.uid, gid: state.gid)
        let after = try editor.state(of: "/etc/x.conf")
        XCTAssertEqual(after.bytes, Array("new\n".utf8))
        XCTAssertEqual(after.mode, 0o640)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root + "/etc").sorted(), ["udev", "x.conf"])
    }

    func testCreatesParentsAndRemoves() throws {
        let editor = FileEditor(machine: Machine(root: root))
        try editor.replace("/etc/modprobe.d/a.conf", with: [0x61], mode: 0o644)
        XCTAssertEqual(try editor.state(of: "/etc/modprobe.d/a.conf").bytes, [0x61])
        try editor.replace("/etc/modprobe.d/a.conf", with: nil, mode: 0o644)
        XCTAssertFalse(try editor.state(of: "/etc/modprobe.d/a.conf").exists)
    }

    func testNeverFollowsASymlink() throws {
        let outside = NSTemporaryDirectory() + "outside-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: outside) }
        FileManager.default.createFile(atPath: outside + "/target", contents: Data("keep\n".utf8))
        symlink(outside + "/target", root + "/etc/link.conf")
        symlink(outside, root + "/etc/modprobe.d")
        let editor = FileEditor(machine: Machine(root: root))
        for path in ["/etc/link.conf", "/etc/modprobe.d/x.conf"] {
            XCTAssertThrowsError(try editor.replace(path, with: [0x78], mode: 0o644)) { error in
                guard case .invalidPath(_, let reason) = error as? HostAccessError else { return XCTFail("\(error)") }
                XCTAssertTrue(reason.contains("symbolic link"), reason)
            }
            XCTAssertThrowsError(try editor.state(of: path))
        }
        XCTAssertEqual(try String(contentsOfFile: outside + "/target", encoding: .utf8), "keep\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: outside + "/x.conf"))
        XCTAssertThrowsError(try editor.replace("/etc/../x", with: [0x78], mode: 0o644))
    }

    /// A failure at any call leaves the old file or the whole new one, never a mix, and no
    /// temporary file behind.
    func testEveryFaultLeavesTheOldOrTheNewFile() throws {
        let old = Array("old contents\n".utf8), new = Array("new contents, longer than the old\n".utf8)
        for op in FaultyFileOperations.Operation.allCases where op != .writeAttribute {
            write("old contents\n", "/etc/x.conf")
            let faults = FaultyFileOperations(failing: op)
            let editor = FileEditor(machine: Machine(root: root), operations: faults)
            let threw = (try? editor.replace("/etc/x.conf", with: new, mode: 0o644)) == nil
            let now = try FileEditor(machine: Machine(root: root)).state(of: "/etc/x.conf").bytes
            XCTAssertTrue(now == old || now == new, "\(op): file is neither old nor new")
            if threw, op != .renameThenFail, op != .syncDirectory { XCTAssertEqual(now, old, "\(op)") }
            if op == .renameThenFail || op == .syncDirectory { XCTAssertEqual(now, new, "\(op)") }
            XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/etc/x.conf" + FileEditor.temporarySuffix), "\(op): temporary left")
        }
    }

    func testAttributeWriteReturnsTheErrno() {
        let editor = FileEditor(machine: Machine(root: root))
        XCTAssertEqual(editor.writeAttribute("/nonexistent/sriov_numvfs", "4"), .failed(errno: ENOENT))
        write("0\n", "/etc/attr")
        XCTAssertEqual(editor.writeAttribute("/etc/attr", "4"), .written)
        XCTAssertEqual(try String(contentsOfFile: root + "/etc/attr", encoding: .utf8), "4\n")
        XCTAssertEqual(AttributeWriteResult.failed(errno: ERANGE).errnoName, "ERANGE")
    }
}

final class JournalTests: XCTestCase {
    func testManifestRoundTripAndOrder() throws {
        let root = NSTemporaryDirectory() + "journal-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let machine = Machine(root: root)
        let a = try Journal.create(machine)
        let b = try Journal.create(machine)
        XCTAssertNotEqual(a.id, b.id)
        var step = JournalStep(index: 0, kind: .file, description: "edit /etc/x", path: "/etc/x", state: .started)
        step.existed = true
        step.mode = 0o644
        let manifest = JournalManifest(id: a.id, created: Journal.timestamp(), root: root, command: ["apply"], summary: "s", steps: [step])
        try a.save(manifest)
        try a.storeBackup(0, [1, 2, 3])
        XCTAssertEqual(try Journal.open(machine, id: a.id).load(), manifest)
        XCTAssertEqual(try a.backup(0), [1, 2, 3])
        XCTAssertEqual(Journal.ids(machine), [a.id, b.id])
        XCTAssertThrowsError(try Journal.open(machine, id: "../x"))
        var st = stat()
        stat(root + Journal.directory + "/" + a.id, &st)
        XCTAssertEqual(st.st_mode & 0o777, 0o700)
    }

    func testLockIsExclusive() throws {
        let root = NSTemporaryDirectory() + "lock-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let machine = Machine(root: root)
        var first: ExclusiveLock? = try ExclusiveLock.acquire(machine)
        XCTAssertThrowsError(try ExclusiveLock.acquire(machine)) { error in
            guard case .held(_, let holder) = error as? ExclusiveLock.Failure else { return XCTFail("\(error)") }
            XCTAssertEqual(holder, String(getpid()))
        }
        XCTAssertNotNil(first)
        first = nil
        XCTAssertNoThrow(try ExclusiveLock.acquire(machine))
    }
}
