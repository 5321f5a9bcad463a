import Foundation
import GRDB
import Reports
@testable import ReportServer
import XCTest

/// Group commit on SQLite (`GroupCommitter`): concurrent uploads share transactions, and each
/// one is answered only once its row is committed and visible to another connection.
final class GroupCommitTests: XCTestCase {
    func report(_ xml: String, host: String) throws -> StoredReport {
        let bytes = Array(renamed(xml, host).utf8)
        let a = try ReportIntake.accept(bytes)
        return StoredReport(id: String(a.sha256.prefix(32)), sha256: a.sha256, received: "2026-12-02T10:00:00.000Z", site: "desk",
                            summary: a.summary, bytes: bytes)
    }

    func testConcurrentUploadsShareCommitsAndAreVisibleWhenAnswered() async throws {
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/reports.sqlite"
        let store = try SQLiteStore(path: path)
        try await store.migrate()
        // A second, independent connection: what another server process or a reader would see.
        let observer = try DatabaseQueue(path: path)
        let xml = try Paths.golden("lab-igb-maxvfs")
        let n = 200
        let reports = try (0..<n).map { try report(xml, host: "group-\($0)") }
        let unseen = try await withThrowingTaskGroup(of: Int.self) { group in
            for r in reports {
                group.addTask {
                    let result = try await store.insert(r)
                    XCTAssertTrue(result.created)
                    XCTAssertEqual(result.id, r.id)
                    // Answered: the row must already be committed, seen from outside the store.
                    let seen = try await observer.read { db in
                        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM reports WHERE id = ?", arguments: [r.id]) ?? 0
                    }
                    return seen == 1 ? 0 : 1
                }
            }
            return try await group.reduce(0, +)
        }
        XCTAssertEqual(unseen, 0, "every insert that returned is visible to another connection")
        let stored = try await observer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM reports") ?? 0 }
        XCTAssertEqual(stored, n)
        let hosts = try await store.hosts(HostQuery())
        XCTAssertEqual(hosts.total, n)
        let c = store.committer.counters
        XCTAssertEqual(c.reports, n)
        // 200 uploads at once cannot each have had a commit of their own.
        XCTAssertLessThan(c.commits, n, "uploads waiting together share a transaction (\(c.commits) commits)")
        XCTAssertGreaterThan(c.largest, 1)
    }

    func testTheSameBytesTwiceInOneGroupAreOneReport() async throws {
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try SQLiteStore(path: dir + "/reports.sqlite")
        try await store.migrate()
        let xml = try Paths.golden("lab-igb-maxvfs")
        let one = try report(xml, host: "twice")
        let others = try (0..<30).map { try report(xml, host: "other-\($0)") }
        let results = try await withThrowingTaskGroup(of: (id: String, created: Bool).self) { group in
            for r in [one] + others + [one] { group.addTask { try await store.insert(r) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let mine = results.filter { $0.id == one.id }
        XCTAssertEqual(mine.count, 2)
        XCTAssertEqual(mine.filter(\.created).count, 1, "one upload creates the report, the other gets its id")
        let stats = try await store.stats()
        XCTAssertEqual(stats.reports, 31)
        let history = try await store.reports(hostKey: one.summary.hostKey)
        XCTAssertEqual(history.count, 1)
    }
}
