import HostAccess
@testable import SRIOVCore
import XCTest

/// The listing rules of `--root ARCHIVE`, on listings as GNU tar prints them.
final class SnapshotArchiveTests: XCTestCase {
    let listing = #"""
    drwxr-xr-x 0/0               0 2026-12-02 06:57 "./"
    drwxr-xr-x 0/0               0 2026-12-02 06:57 "./d/"
    -rw-r--r-- 0/0               1 2026-12-02 06:57 "./d/n\tl"
    -rw-r--r-- 0/0               2 2026-12-02 06:57 "./d/a b\"c"
    -rw-r--r-- 0/0               3 2026-12-02 06:57 "./d/caf\303\251"
    lrwxrwxrwx 0/0               0 2026-12-02 06:57 "./d/l n" -> "../x y"
    """#

    func testNamesAreUnquotedAsTarQuotesThem() throws {
        let members = try SnapshotArchive.parse(listing, archive: "a.tgz")
        XCTAssertEqual(members.map(\.name), ["", "d/", "d/n\tl", "d/a b\"c", "d/café", "d/l n"])
        XCTAssertEqual(members.map(\.kind), [.directory, .directory, .file, .file, .file, .symlink])
        XCTAssertEqual(members.map(\.size), [0, 0, 1, 2, 3, 0])
        XCTAssertNoThrow(try SnapshotArchive.check(members, archive: "a.tgz"))
    }

    func testRefusals() throws {
        func refusal(_ members: [SnapshotArchive.Member]) -> String? {
            do { try SnapshotArchive.check(members, archive: "a.tgz"); return nil } catch { return error.text.en }
        }
        let file = { (name: String) in SnapshotArchive.Member(kind: .file, size: 1, name: name) }
        let link = { (name: String) in SnapshotArchive.Member(kind: .symlink, size: 0, name: name) }
        XCTAssertEqual(refusal([file("sys/a"), link("sys/b")]), nil)
        XCTAssertTrue(refusal([file("sys/../../x")])?.contains("climbs out") == true)
        XCTAssertTrue(refusal([file("/etc/x")])?.contains("absolute name") == true)
        // Order does not matter: the link may come after the member under it.
        XCTAssertTrue(refusal([file("etc/cron.d/x"), link("etc")])?.contains("under the symbolic link \"etc\"") == true)
        XCTAssertTrue(refusal([link("etc/"), file("etc/x")])?.contains("under the symbolic link") == true)
        XCTAssertTrue(refusal([SnapshotArchive.Member(kind: .other("h"), size: 0, name: "x")])?.contains("type 'h'") == true)
        XCTAssertTrue(refusal([SnapshotArchive.Member(kind: .file, size: SnapshotArchive.maximumBytes + 1, name: "big")])?.contains("MiB") == true)
        // A link named like a prefix of a sibling is not a parent: "sys/b" vs "sys/bus/x".
        XCTAssertEqual(refusal([link("sys/b"), file("sys/bus/x")]), nil)
    }

    func testAnUnreadableLineIsRefused() {
        XCTAssertThrowsError(try SnapshotArchive.parse("garbage without quotes\n", archive: "a.tgz"))
        XCTAssertThrowsError(try SnapshotArchive.parse(#"-rw-r--r-- 0/0 1 2026-12-02 06:57 "unterminated"#, archive: "a.tgz"))
    }
}
