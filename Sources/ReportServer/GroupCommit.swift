import Foundation
import GRDB

/// Group commit for SQLite uploads: the reports that arrive while a transaction is being written
/// wait together, and the next transaction stores all of them with one commit (one fsync of the
/// WAL with `synchronous=FULL`). Each upload is answered only after the commit that holds its row
/// has returned, so "committed before 201" holds as it did with one transaction per upload.
///
/// SQLite has one writer at a time; with a transaction per upload, 16 clients queue behind 16
/// fsyncs in turn. Here the fsync is shared by everyone who was waiting for it.
final class GroupCommitter: @unchecked Sendable {
    typealias Outcome = Result<(id: String, created: Bool), Error>
    private struct Waiting {
        var report: StoredReport
        var answer: CheckedContinuation<(id: String, created: Bool), Error>
    }

    private let pool: DatabasePool
    private let lock = NSLock()
    private var waiting: [Waiting] = []
    private var writing = false
    private var stats = (commits: 0, reports: 0, largest: 0)
    /// One thread writes; it blocks in SQLite and fsync, never on an event loop or the
    /// concurrency pool.
    private let queue = DispatchQueue(label: "sriov-report-server.sqlite-group-commit", qos: .userInitiated)
    /// A transaction holds at most this many reports (bounds its size and the wait of the first).
    let batchLimit: Int

    init(pool: DatabasePool, batchLimit: Int = 128) {
        self.pool = pool
        self.batchLimit = batchLimit
    }

    /// Commits so far, reports in them, and the largest group (for tests and the benchmark).
    var counters: (commits: Int, reports: Int, largest: Int) { lock.withLock { stats } }

    func insert(_ report: StoredReport) async throws -> (id: String, created: Bool) {
        try await withCheckedThrowingContinuation { answer in
            let start = lock.withLock { () -> Bool in
                waiting.append(Waiting(report: report, answer: answer))
                if writing { return false }
                writing = true
                return true
            }
            if start { queue.async { self.drain() } }
        }
    }

    private func drain() {
        while true {
            let group = lock.withLock { () -> [Waiting] in
                if waiting.isEmpty { writing = false; return [] }
                let n = min(waiting.count, batchLimit)
                let g = Array(waiting.prefix(n))
                waiting.removeFirst(n)
                return g
            }
            if group.isEmpty { return }
            let outcomes = commit(group.map(\.report))
            lock.withLock {
                stats.commits += 1
                stats.reports += group.count
                stats.largest = max(stats.largest, group.count)
            }
            for (w, o) in zip(group, outcomes) { w.answer.resume(with: o) }
        }
    }

    /// One transaction for the group; each report in its own savepoint, so a report that fails
    /// (a constraint, say) fails alone. When the commit fails, every report of the group fails.
    private func commit(_ reports: [StoredReport]) -> [Outcome] {
        var outcomes: [Outcome] = []
        do {
            try pool.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    for r in reports {
                        do {
                            var result: (id: String, created: Bool)?
                            try db.inSavepoint {
                                result = try SQLiteStore.insertRow(db, r)
                                return .commit
                            }
                            outcomes.append(.success(result!))
                        } catch {
                            outcomes.append(.failure(error))
                        }
                    }
                    return .commit
                }
            }
            return outcomes
        } catch {
            return reports.map { _ in .failure(error) }
        }
    }
}
