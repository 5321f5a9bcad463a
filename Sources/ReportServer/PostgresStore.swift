import CLibPQ
import Foundation

/// The shared store: PostgreSQL through libpq (the C client Debian ships as libpq5), so several
/// servers can run behind a load balancer on one database. A small pool of connections; a
/// connection that broke (the database restarted) is dropped and the statement retried once on
/// a new one, so the server recovers without a restart of its own. Every value is a bound
/// parameter of PQexecParams.
public final class PostgresStore: ReportStore, @unchecked Sendable {
    let conninfo: String
    let display: String
    private let lock = NSLock()
    private var idle: [OpaquePointer] = []
    private let slots: DispatchSemaphore
    private let queue = DispatchQueue(label: "sriov-report-server.postgres", attributes: .concurrent)

    public init(url: String, connections: Int = 8) throws {
        guard let c = URLComponents(string: url), let host = c.host, !host.isEmpty, c.path.count > 1 else {
            throw StoreError("--database \(url): not a PostgreSQL URL; use postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        }
        display = "postgres://\(c.user ?? "")@\(host):\(c.port ?? 5432)\(c.path)"
        var info = url
        if !(c.queryItems ?? []).contains(where: { $0.name == "connect_timeout" }) {
            info += (c.query == nil ? "?" : "&") + "connect_timeout=5"
        }
        conninfo = info
        slots = DispatchSemaphore(value: max(1, connections))
    }

    deinit {
        for c in idle { PQfinish(c) }
    }

    struct ConnectionLost: Error { var message: String }

    private func connect() throws -> OpaquePointer {
        guard let c = PQconnectdb(conninfo) else { throw StoreError("\(display): out of memory") }
        guard PQstatus(c) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(c)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(c)
            throw StoreError("cannot connect to PostgreSQL at \(display): \(message)")
        }
        _ = PQsetClientEncoding(c, "UTF8")
        return c
    }

    /// Runs `body` on a pooled connection on a worker thread (libpq blocks).
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (OpaquePointer) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<T, Error>) in
            queue.async {
                self.slots.wait()
                defer { self.slots.signal() }
                do {
                    for attempt in 0..<2 {
                        let conn = try self.lock.withLock { self.idle.popLast() } ?? self.connect()
                        do {
                            let value = try body(conn)
                            self.lock.withLock { self.idle.append(conn) }
                            cont.resume(returning: value)
                            return
                        } catch let lost as ConnectionLost {
                            PQfinish(conn)
                            if attempt == 1 { throw StoreError("PostgreSQL at \(self.display): \(lost.message)") }
                        } catch {
                            if PQstatus(conn) == CONNECTION_OK {
                                _ = PQexec(conn, "ROLLBACK").map { PQclear($0) }
                                self.lock.withLock { self.idle.append(conn) }
                            } else {
                                PQfinish(conn)
                            }
                            throw error
                        }
                    }
                } catch {
                    cont.resume(throwing: error)
                }
            }
        }
    }

    /// One statement with bound parameters; rows as cells.
    static func exec(_ conn: OpaquePointer, _ st: SQLStatement) throws -> [[SQLCell]] {
        let n = st.args.count
        var buffers: [[CChar]] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        var isNull: [Bool] = []
        for a in st.args {
            switch a {
            case .text(let s):
                buffers.append(Array((s ?? "").utf8CString)); lengths.append(0); formats.append(0); isNull.append(s == nil)
            case .int(let i):
                buffers.append(Array(String(i).utf8CString)); lengths.append(0); formats.append(0); isNull.append(false)
            case .blob(let b):
                buffers.append(b.map { CChar(bitPattern: $0) }); lengths.append(Int32(b.count)); formats.append(1); isNull.append(false)
            }
        }
        let result: OpaquePointer? = withPointers(buffers, isNull) { values in
            PQexecParams(conn, st.numbered, Int32(n), nil, values, lengths, formats, 0)
        }
        guard let result else {
            throw ConnectionLost(message: String(cString: PQerrorMessage(conn)))
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            let message = String(cString: PQresultErrorMessage(result)).trimmingCharacters(in: .whitespacesAndNewlines)
            if PQstatus(conn) != CONNECTION_OK { throw ConnectionLost(message: message) }
            throw StoreError("PostgreSQL: \(message)")
        }
        let rows = PQntuples(result), cols = PQnfields(result)
        var out: [[SQLCell]] = []
        out.reserveCapacity(Int(rows))
        for r in 0..<rows {
            var row: [SQLCell] = []
            row.reserveCapacity(Int(cols))
            for c in 0..<cols {
                if PQgetisnull(result, r, c) == 1 { row.append(.null); continue }
                let text = String(cString: PQgetvalue(result, r, c))
                switch PQftype(result, c) {
                case 20, 21, 23: row.append(.int(Int(text) ?? 0))          // int8, int2, int4
                case 700, 701, 1700: row.append(.double(Double(text) ?? 0)) // float4, float8, numeric
                case 17: row.append(.blob(unhex(text)))                     // bytea, text format \x...
                default: row.append(.text(text))
                }
            }
            out.append(row)
        }
        return out
    }

    private static func withPointers<R>(_ buffers: [[CChar]], _ isNull: [Bool], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        // Copies that live for the call; nil marks SQL NULL.
        let pointers: [UnsafeMutablePointer<CChar>?] = buffers.enumerated().map { i, b in
            guard !isNull[i] else { return nil }
            let p = UnsafeMutablePointer<CChar>.allocate(capacity: max(b.count, 1))
            b.withUnsafeBufferPointer { src in if let base = src.baseAddress { p.initialize(from: base, count: b.count) } }
            return p
        }
        defer { for p in pointers { p?.deallocate() } }
        return body(pointers.map { $0.map { UnsafePointer($0) } })
    }

    static func unhex(_ text: String) -> [UInt8] {
        var bytes = Array(text.utf8)
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "\\"), bytes[1] == UInt8(ascii: "x") else { return bytes }
        bytes.removeFirst(2)
        func v(_ c: UInt8) -> UInt8 { c >= 97 ? c - 87 : (c >= 65 ? c - 55 : c - 48) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count / 2)
        var i = 0
        while i + 1 < bytes.count { out.append(v(bytes[i]) << 4 | v(bytes[i + 1])); i += 2 }
        return out
    }

    static func transaction<T>(_ conn: OpaquePointer, _ body: () throws -> T) throws -> T {
        _ = try exec(conn, SQLStatement("BEGIN"))
        let value = try body()
        _ = try exec(conn, SQLStatement("COMMIT"))
        return value
    }

    func rows(_ st: SQLStatement) async throws -> [[SQLCell]] {
        try await withConnection { try Self.exec($0, st) }
    }

    public func migrate() async throws {
        try await withConnection { conn in
            try Self.transaction(conn) {
                // One server migrates at a time; the others wait here and find the work done.
                _ = try Self.exec(conn, SQLStatement("SELECT pg_advisory_xact_lock(?::bigint)", [.int(0x5352_494F_56)]))
                _ = try Self.exec(conn, SQLStatement("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied TEXT NOT NULL)"))
                let done = Set(try Self.exec(conn, SQLStatement("SELECT version FROM schema_migrations")).map { $0[0].int })
                if !done.contains(1) {
                    for sql in SQLCore.schemaV1(blob: "BYTEA", int: "BIGINT") { _ = try Self.exec(conn, SQLStatement(sql)) }
                    _ = try Self.exec(conn, SQLStatement("INSERT INTO schema_migrations (version, applied) VALUES (?, ?)", [.int(1), .text(Clock.now())]))
                }
            }
        }
    }

    public func insert(_ report: StoredReport) async throws -> (id: String, created: Bool) {
        let r = try await withConnection { conn -> [String] in
            try Self.transaction(conn) {
                let inserted = try Self.exec(conn, SQLCore.insertReport(report))
                if inserted.isEmpty {
                    let existing = try Self.exec(conn, SQLCore.existingID(sha256: report.sha256))
                    return [existing.first?.first?.string ?? report.id, "0"]
                }
                for st in SQLCore.afterInsert(report) { _ = try Self.exec(conn, st) }
                return [report.id, "1"]
            }
        }
        return (r[0], r[1] == "1")
    }

    public func report(id: String) async throws -> StoredReport? {
        try await rows(SQLCore.report(id: id)).first.map(SQLCore.decodeReport)
    }

    public func hosts(_ query: HostQuery) async throws -> HostPage {
        let total = try await rows(SQLCore.hostCount(query)).first?.first?.int ?? 0
        return HostPage(total: total, hosts: try await rows(SQLCore.hostPage(query)).map(SQLCore.decodeHost))
    }

    public func reports(hostKey: String) async throws -> [ReportListEntry] {
        try await rows(SQLCore.hostReports(hostKey)).map(SQLCore.decodeEntry)
    }

    public func compatibility() async throws -> [CompatibilityRow] {
        SQLCore.compatibility(hosts: try await rows(SQLCore.compatibilityHosts), failing: try await rows(SQLCore.compatibilityFailing))
    }

    public func stats() async throws -> StoreStats {
        let r = try await rows(SQLCore.stats).first ?? []
        return StoreStats(reports: r.first?.int ?? 0, hosts: r.count > 2 ? r[2].int : 0, bytes: r.count > 1 ? r[1].int : 0)
    }

    public func createToken(_ token: TokenRecord) async throws {
        try await withConnection { conn in
            try Self.transaction(conn) {
                _ = try Self.exec(conn, SQLCore.deleteRevokedToken(token.name))
                _ = try Self.exec(conn, SQLCore.insertToken(token))
            }
        }
    }

    public func tokens() async throws -> [TokenRecord] {
        try await rows(SQLCore.tokens).map(SQLCore.decodeToken)
    }

    public func revokeToken(name: String, at time: String) async throws -> Bool {
        try await withConnection { conn in
            try Self.transaction(conn) {
                let done = try Self.exec(conn, SQLCore.revoke(name, time))
                _ = try Self.exec(conn, SQLCore.revokeSessions(name))
                return !done.isEmpty
            }
        }
    }

    public func createSession(hash: String, token: String, csrf: String, expires: String) async throws {
        _ = try await rows(SQLCore.expireSessions(now: Clock.now()))
        _ = try await rows(SQLCore.insertSession(hash: hash, token: token, csrf: csrf, expires: expires))
    }

    public func session(hash: String, now: String) async throws -> (token: TokenRecord, csrf: String)? {
        guard let r = try await rows(SQLCore.session(hash: hash, now: now)).first else { return nil }
        return (SQLCore.decodeToken(r), r[5].string ?? "")
    }

    public func deleteSession(hash: String) async throws {
        _ = try await rows(SQLCore.deleteSession(hash: hash))
    }

    public func close() async {
        lock.withLock {
            for c in idle { PQfinish(c) }
            idle.removeAll()
        }
    }
}
