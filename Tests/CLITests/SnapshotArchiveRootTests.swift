import Foundation
import HostAccess
import XCTest

/// `--root host.tar.gz`: the archive a user sent is read as it is, and an archive built to
/// write outside its directory is refused before anything is unpacked.
final class SnapshotArchiveRootTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = CLI.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// `snapshot --archive` alone names no deleted directory; `check --root ARCHIVE` gives
    /// what `check --root DIR` gives; `apply` refuses an archive (its copy is thrown away).
    func testCheckOnAnArchiveEqualsCheckOnTheDirectory() throws {
        let archive = dir + "/host.tar.gz"
        var r = try CLI.run(["snapshot", "--root", CLI.resource("sample-host"), "--archive", archive])
        XCTAssertEqual(r.status, 0, r.stderrText)
        XCTAssertFalse(r.stdoutText.contains("snapshot: /"), "an --archive-only run must not name its deleted work directory: \(r.stdoutText)")
        XCTAssertTrue(r.stdoutText.contains("archive: \(archive)"), r.stdoutText)
        let fromDirectory = try CLI.run(["check", "--root", CLI.resource("sample-host"), "--format", "json"])
        let fromArchive = try CLI.run(["check", "--root", archive, "--format", "json"])
        XCTAssertEqual(fromArchive.status, fromDirectory.status, fromArchive.stderrText)
        XCTAssertEqual(try checks(fromArchive), try checks(fromDirectory))
        r = try CLI.run(["devices", "--root", archive])
        XCTAssertEqual(r.status, 0, r.stderrText)
        XCTAssertTrue(r.stdoutText.contains("0000:01:00.0"), r.stdoutText)
        r = try CLI.run(["apply", "--root", archive, "--device", "0000:01:00.0", "--vfs", "2", "--yes"])
        XCTAssertEqual(r.status, 64, r.stderrText)
        XCTAssertTrue(r.stderrText.contains("read-only"), r.stderrText)
        // Nothing unpacked is left behind in TMPDIR.
        let tmp = dir + "/tmp"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        r = try CLI.run(["check", "--root", archive, "--brief"], environment: ["TMPDIR": tmp])
        XCTAssertEqual(r.status, fromDirectory.status, r.stderrText)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp), [])
        // (TMPDIR is where it unpacks: a missing one is named in the error.)
        r = try CLI.run(["check", "--root", archive, "--brief"], environment: ["TMPDIR": dir + "/missing"])
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(r.stderrText.contains("cannot create a private directory under \(dir)/missing"), r.stderrText)
    }

    /// Each hostile archive is refused with exit 64 and a message naming the member; nothing
    /// lands outside (the marker files are never created).
    func testHostileArchivesAreRefusedBeforeUnpacking() throws {
        let outside = dir + "/outside"
        let cases: [(String, String, String)] = [
            ("dotdot", "tarfile.TarInfo('../outside/dotdot')", "climbs out"),
            ("absolute", "tarfile.TarInfo('/\(outside.dropFirst())/absolute')", "absolute name"),
            ("through-link", "link('escape', '\(outside)'), tarfile.TarInfo('escape/through-link')", "under the symbolic link"),
            ("device", "dev('null')", "type 'c'"),
            ("hardlink", "hard('passwd', '/etc/passwd')", "type 'h'"),
        ]
        for (name, members, expected) in cases {
            let archive = dir + "/\(name).tar.gz"
            let script = """
            import io, tarfile, sys
            def link(n, t):
                i = tarfile.TarInfo(n); i.type = tarfile.SYMTYPE; i.linkname = t; return i
            def dev(n):
                i = tarfile.TarInfo(n); i.type = tarfile.CHRTYPE; i.devmajor = 1; i.devminor = 3; return i
            def hard(n, t):
                i = tarfile.TarInfo(n); i.type = tarfile.LNKTYPE; i.linkname = t; return i
            with tarfile.open(sys.argv[1], 'w:gz') as t:
                t.addfile(tarfile.TarInfo('sys'))
                for m in [\(members)]:
                    data = b'owned' if m.type == tarfile.REGTYPE else b''
                    m.size = len(data)
                    t.addfile(m, io.BytesIO(data))
            """
            let made = try LiveCommandRunner().run(["python3", "-c", script, archive], timeout: 60, outputLimit: 1 << 20)
            XCTAssertEqual(made.status, 0, made.stderrText)
            let r = try CLI.run(["check", "--root", archive])
            XCTAssertEqual(r.status, 64, "\(name): \(r.stdoutText) \(r.stderrText)")
            XCTAssertTrue(r.stderrText.contains(expected), "\(name): \(r.stderrText)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: outside + "/" + name), name)
            XCTAssertFalse(FileManager.default.fileExists(atPath: outside), name)
        }
        let notAnArchive = dir + "/notes.txt"
        try Data("hello\n".utf8).write(to: URL(fileURLWithPath: notAnArchive))
        let r = try CLI.run(["check", "--root", notAnArchive])
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(r.stderrText.contains("not a .tar.gz archive"), r.stderrText)
    }

    private func checks(_ result: CommandResult) throws -> [String] {
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any])
        let stages = try XCTUnwrap(object["stages"] as? [[String: Any]])
        return stages.flatMap { stage in
            ((stage["checks"] as? [[String: Any]]) ?? []).map { "\($0["id"] ?? "")=\($0["level"] ?? ""): \($0["summary"] ?? "")" }
        }
    }
}
