import Foundation
import GRDB

/// The embedded store: one SQLite file in WAL mode (GRDB's DatabasePool), synchronous=FULL so a
/// report whose transaction returned is on disk before the server answers 201.
///
/// Why FULL and not NORMAL: in WAL mode NORMAL fsyncs only at checkpoints, so a committed
/// transaction survives a crash of the process (kill -9) but not a power loss or a kernel panic;
/// FULL fsyncs the WAL at every commit. Uploads share those commits (`GroupCommitter`), so FULL
/// costs one fsync per group, not one per report.
public final class SQLiteStore: ReportStore {
    let pool: DatabasePool
    let committer: GroupCommitter

    /// `commitGroup`: most uploads per transaction; nil reads SRIOV_REPORT_SERVER_COMMIT_GROUP
    /// (default 128; 1 is a transaction per upload, the behaviour before group commit, kept for
    /// the benchmark's comparison).
    public init(path: String, commitGroup: Int? = nil) throws {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty, !FileManager.default.fileExists(atPath: dir) {
            throw StoreError("\(path): the folder \(dir) does not exist; create it (e.g. `install -d -m 0750 \(dir)`) or give another sqlite:PATH")
        }
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch {
            throw StoreError("\(path): cannot open the SQLite database: \(error)")
        }
        let group = commitGroup ?? ProcessInfo.processInfo.environment["SRIOV_REPORT_SERVER_COMMIT_GROUP"].flatMap { Int($0) } ?? 128
        committer = GroupCommitter(pool: pool, batchLimit: max(1, group))
    }

    public func migrate() async throws {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            for sql in SQLCore.schemaV1(blob: "BLOB", int: "INTEGER") { try db.execute(sql: sql) }
        }
        try migrator.migrate(pool)
    }

    static func arguments(_ values: [SQLValue]) -> StatementArguments {
        StatementArguments(values.map { v -> (any DatabaseValueConvertible)? in
            switch v {
            case .text(let s): return s
            case .int(let i): return i
            case .blob(let b): return Data(b)
            }
        })
    }

    static func rows(_ db: Database, _ st: SQLStatement) throws -> [[SQLCell]] {
        try Row.fetchAll(db, sql: st.sql, arguments: arguments(st.args)).map { row in
            (0..<row.count).map { i -> SQLCell in
                let dbv: DatabaseValue = row[i]
                switch dbv.storage {
                case .null: return .null
                case .int64(let i): return .int(Int(i))
                case .double(let d): return .double(d)
                case .string(let s): return .text(s)
                case .blob(let d): return .blob([UInt8](d))
                }
            }
        }
    }

    func read(_ st: SQLStatement) async throws -> [[SQLCell]] {
        try await pool.read { db in try Self.rows(db, st) }
    }

    public func insert(_ report: StoredReport) async throws -> (id: String, created: Bool) {
        try await committer.insert(report)
    }

    /// The statements of one upload, inside the caller's transaction (a group's savepoint).
    static func insertRow(_ db: Database, _ report: StoredReport) throws -> (id: String, created: Bool) {
        let inserted = try rows(db, SQLCore.insertReport(report))
        if inserted.isEmpty {
            let existing = try rows(db, SQLCore.existingID(sha256: report.sha256))
            return (existing.first?.first?.string ?? report.id, false)
        }
        for st in SQLCore.afterInsert(report) { try db.execute(sql: st.sql, arguments: arguments(st.args)) }
        return (report.id, true)
    }

    public func report(id: String) async throws -> StoredReport? {
        try await read(SQLCore.report(id: id)).first.map(SQLCore.decodeReport)
    }

    public func hosts(_ query: HostQuery) async throws -> HostPage {
        try await pool.read { db in
            let total = try Self.rows(db, SQLCore.hostCount(query)).first?.first?.int ?? 0
            let rows = try Self.rows(db, SQLCore.hostPage(query)).map(SQLCore.decodeHost)
            return HostPage(total: total, hosts: rows)
        }
    }

    public func reports(hostKey: String) async throws -> [ReportListEntry] {
        try await read(SQLCore.hostReports(hostKey)).map(SQLCore.decodeEntry)
    }

    public func compatibility() async throws -> [CompatibilityRow] {
        try await pool.read { db in
            SQLCore.compatibility(hosts: try Self.rows(db, SQLCore.compatibilityHosts),
                                  failing: try Self.rows(db, SQLCore.compatibilityFailing))
        }
    }

    public func stats() async throws -> StoreStats {
        let r = try await read(SQLCore.stats).first ?? []
        return StoreStats(reports: r.first?.int ?? 0, hosts: r.count > 2 ? r[2].int : 0, bytes: r.count > 1 ? r[1].int : 0)
    }

    public func createToken(_ token: TokenRecord) async throws {
        try await pool.write { db in
            for st in [SQLCore.deleteRevokedToken(token.name), SQLCore.insertToken(token)] {
                try db.execute(sql: st.sql, arguments: Self.arguments(st.args))
            }
        }
    }

    public func tokens() async throws -> [TokenRecord] {
        try await read(SQLCore.tokens).map(SQLCore.decodeToken)
    }

    public func revokeToken(name: String, at time: String) async throws -> Bool {
        try await pool.write { db in
            let done = try Self.rows(db, SQLCore.revoke(name, time))
            let st = SQLCore.revokeSessions(name)
            try db.execute(sql: st.sql, arguments: Self.arguments(st.args))
            return !done.isEmpty
        }
    }

    public func createSession(hash: String, token: String, csrf: String, expires: String) async throws {
        try await pool.write { db in
            for st in [SQLCore.expireSessions(now: Clock.now()), SQLCore.insertSession(hash: hash, token: token, csrf: csrf, expires: expires)] {
                try db.execute(sql: st.sql, arguments: Self.arguments(st.args))
            }
        }
    }

    public func session(hash: String, now: String) async throws -> (token: TokenRecord, csrf: String)? {
        guard let r = try await read(SQLCore.session(hash: hash, now: now)).first else { return nil }
        return (SQLCore.decodeToken(r), r[5].string ?? "")
    }

    public func deleteSession(hash: String) async throws {
        let st = SQLCore.deleteSession(hash: hash)
        try await pool.write { db in try db.execute(sql: st.sql, arguments: Self.arguments(st.args)) }
    }

    public func close() async {}
}
