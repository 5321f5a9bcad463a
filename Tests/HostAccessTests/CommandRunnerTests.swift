import Foundation
import XCTest
@testable import HostAccess

final class CommandRunnerTests: XCTestCase {
    let live = Machine(root: "/")

    func testArgvIsNeverInterpretedByAShell() throws {
        let hostile = "a b; echo pwned $(id) `id` \"q\" 'q' | cat > /tmp/x"
        let result = try live.run(["printf", "%s", hostile])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdoutText, hostile)
    }

    func testNonZeroStatusIsAResult() throws {
        let result = try live.run(["sh", "-c", "echo out; echo err >&2; exit 3"])
        XCTAssertEqual(result.status, 3)
        XCTAssertEqual(result.stdoutText, "out\n")
        XCTAssertEqual(result.stderrText, "err\n")
    }

    func testMissingCommandIsTyped() {
        XCTAssertThrowsError(try live.run(["no-such-command-sriov-wizard"])) { error in
            XCTAssertEqual(error as? HostAccessError, .commandNotFound(command: "no-such-command-sriov-wizard"))
        }
    }

    func testTimeoutStopsTheCommand() {
        let start = Date()
        XCTAssertThrowsError(try live.run(["sleep", "20"], timeout: 0.5)) { error in
            XCTAssertEqual(error as? HostAccessError, .commandTimedOut(argv: ["sleep", "20"], seconds: 0.5))
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
    }

    func testOutputIsLimited() throws {
        let result = try live.run(["head", "-c", "200000", "/dev/zero"], outputLimit: 1000)
        XCTAssertEqual(result.stdout.count, 1000)
        XCTAssertTrue(result.truncated)
        XCTAssertEqual(result.status, 0)
    }

    func testStdinIsEmpty() throws {
        let result = try live.run(["cat"], timeout: 5)
        XCTAssertEqual(result.stdout, [])
    }

    /// Stdin is an empty pipe, not /dev/null: CI machines have been seen with /dev/null replaced
    /// by a regular file holding the last text any program sent "to /dev/null".
    func testStdinIsAnEmptyPipeNotDevNull() throws {
        let result = try live.run(["readlink", "/proc/self/fd/0"], timeout: 5)
        XCTAssertTrue(result.stdoutText.hasPrefix("pipe:["), result.stdoutText)
    }

    func testEnvironmentIsCLocale() throws {
        let result = try live.run(["sh", "-c", "echo $LC_ALL"])
        XCTAssertEqual(result.stdoutText, "C\n")
    }

    func testRecordedCommandsAnswerFromTheSnapshot() throws {
        let dir = NSTemporaryDirectory() + "recorded-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let writer = try TreeWriter(root: dir)
        let key = RecordedCommandRunner.key(for: ["uname", "-a"])
        XCTAssertEqual(key, "uname_-a")
        try writer.write("Linux lab 6.12\n", to: RecordedCommandRunner.directory + "/" + key + ".stdout")
        try writer.write("0\n", to: RecordedCommandRunner.directory + "/" + key + ".status")
        let snapshot = Machine(root: dir)
        let result = try snapshot.run(["uname", "-a"])
        XCTAssertEqual(result.stdoutText, "Linux lab 6.12\n")
        XCTAssertEqual(result.status, 0)
        XCTAssertThrowsError(try snapshot.run(["dmesg"])) { error in
            XCTAssertEqual(error as? HostAccessError, .commandNotRecorded(argv: ["dmesg"], snapshot: snapshot.root))
        }
    }

    func testKeysAreFileNameSafe() {
        XCTAssertEqual(RecordedCommandRunner.key(for: ["ip", "-d", "link", "show"]), "ip_-d_link_show")
        XCTAssertEqual(RecordedCommandRunner.key(for: ["a/b", "x y", "$(z)"]), "a-b_x-y_--z-")
    }
}

/// Lines reach `onLine` while the command still runs (a progress display shows them live).
final class CommandRunnerStreamingTests: XCTestCase {
    func testLinesArriveWhileTheCommandRuns() throws {
        final class Lines: @unchecked Sendable {
            let lock = NSLock()
            var seen: [(String, Double)] = []
        }
        let lines = Lines()
        let start = LiveCommandRunner.now()
        let result = try LiveCommandRunner().run(["sh", "-c", "echo first; sleep 2; printf 'a\\rb\\n'; echo err >&2; printf tail"],
                                                 timeout: 30, outputLimit: 1 << 20) { line in
            lines.lock.lock(); lines.seen.append((line, LiveCommandRunner.now() - start)); lines.lock.unlock()
        }
        let end = LiveCommandRunner.now() - start
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdoutText, "first\na\rb\ntail", "the captured output is unchanged")
        XCTAssertEqual(Set(lines.seen.map(\.0)), ["first", "a", "b", "err", "tail"])
        let first = try XCTUnwrap(lines.seen.first { $0.0 == "first" })
        XCTAssertLessThan(first.1, end - 1.0, "'first' came at \(first.1) s, the command ended at \(end) s: not streamed")
    }
}
