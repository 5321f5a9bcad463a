import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO

/// The shared store: PostgreSQL through postgres-nio, so several servers can run behind a load
/// balancer on one database. The connections are `PostgresClient`'s pool, run by a task this
/// store owns (`close()` ends it). A connection that broke (the database restarted) is dropped by
/// the pool and the statement retried once on a new one, so the server recovers without a restart
/// of its own. Every call is bounded in time (connect and query timeouts): a lost database is an
/// error the routes answer with 503, never a hang. Every value is a bound parameter.
public final class PostgresStore: ReportStore, Sendable {
    let display: String
    let client: PostgresClient
    let runner: Task<Void, Never>
    let queryTimeout: Duration
    let logger: Logger
    /// One direct connection at open, so a wrong host, port or password is told at once with
    /// the database's reason (the pool would retry it quietly until the call's timeout).
    let probeConfig: PostgresConnection.Configuration

    /// `connect_timeout=SECONDS` and `sslmode=disable|prefer|require|verify-full` in the URL's query
    /// are honoured as libpq does; the default is no TLS (a local or private-network database).
    public init(url: String, connections: Int = 8, queryTimeout: Duration = .seconds(15)) throws {
        guard let c = URLComponents(string: url), let host = c.host, !host.isEmpty, c.path.count > 1 else {
            throw StoreError("--database \(url): not a PostgreSQL URL; use postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        }
        display = "postgres://\(c.user ?? "")@\(host):\(c.port ?? 5432)\(c.path)"
        let items = Dictionary((c.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        let tls: PostgresClient.Configuration.TLS
        let probeTLS: PostgresConnection.Configuration.TLS
        switch items["sslmode"] ?? "disable" {
        case "disable", "allow": tls = .disable; probeTLS = .disable
        case "prefer", "require":
            // libpq's require: encrypted, the certificate not checked.
            var t = TLSConfiguration.makeClientConfiguration()
            t.certificateVerification = .none
            let context = try NIOSSLContext(configuration: t)
            tls = items["sslmode"] == "prefer" ? .prefer(t) : .require(t)
            probeTLS = items["sslmode"] == "prefer" ? .prefer(context) : .require(context)
        case "verify-ca", "verify-full":
            tls = .require(.makeClientConfiguration())
            probeTLS = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case let other:
            throw StoreError("--database \(display): sslmode=\(other) is not one of disable, prefer, require, verify-full")
        }
        var config = PostgresClient.Configuration(
            host: host, port: c.port ?? 5432, username: c.user ?? "postgres", password: c.password,
            database: String(c.path.dropFirst()), tls: tls)
        let connectSeconds = Int(items["connect_timeout"] ?? "") ?? 5
        var probe = PostgresConnection.Configuration(
            host: host, port: c.port ?? 5432, username: c.user ?? "postgres", password: c.password,
            database: String(c.path.dropFirst()), tls: probeTLS)
        probe.options.connectTimeout = .seconds(Int64(max(1, connectSeconds)))
        probeConfig = probe
        config.options.connectTimeout = .seconds(max(1, connectSeconds))
        config.options.maximumConnections = max(1, connections)
        config.options.minimumConnections = 0
        var background = Logger(label: "sriov-report-server.postgres")
        background.logLevel = .critical
        logger = background
        client = PostgresClient(configuration: config, backgroundLogger: background)
        self.queryTimeout = queryTimeout
        let client = client
        runner = Task { await client.run() }
    }

    /// Connects once outside the pool: "cannot connect to PostgreSQL at URL: reason".
    func probe() async throws {
        let config = probeConfig, logger = logger, display = display
        try await bounded {
            do {
                let conn = try await PostgresConnection.connect(configuration: config, id: 0, logger: logger)
                try? await conn.close()
            } catch let e as PSQLError {
                throw StoreError("cannot connect to PostgreSQL at \(display): \(Self.describe(e))")
            } catch {
                throw StoreError("cannot connect to PostgreSQL at \(display): \(error)")
            }
        }
    }

    /// Runs `body` on a pooled connection, within the query timeout; a connection the database
    /// closed (restart, failover) is retried once on a new one.
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let client = client, display = display
        return try await bounded {
            for attempt in 0..<2 {
                do {
                    return try await client.withConnection { try await body($0) }
                } catch let e as PSQLError where attempt == 0 && Self.connectionLost(e) {
                    continue
                } catch let e as PSQLError {
                    throw StoreError("PostgreSQL at \(display): \(Self.describe(e))")
                }
            }
            throw StoreError("PostgreSQL at \(display): the connection was lost twice")
        }
    }

    /// The first of `body` and the timeout; a call that overruns is left to finish on its own
    /// (its connection stays out of the pool until then) and answered as an error now.
    func bounded<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let once = Once<T>()
        let timeout = queryTimeout, display = display
        return try await withCheckedThrowingContinuation { (cont: CheckedContinuation<T, Error>) in
            once.set(cont)
            let work = Task {
                do { once.resume(.success(try await body())) } catch { once.resume(.failure(error)) }
            }
            let timer = Task {
                try? await Task.sleep(for: timeout)
                if Task.isCancelled { return }
                if once.resume(.failure(StoreError("PostgreSQL at \(display): no answer within \(timeout)"))) { work.cancel() }
            }
            once.onDone { timer.cancel() }
        }
    }

    /// Resumes a continuation once; the loser of the race is dropped.
    final class Once<T: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var cont: CheckedContinuation<T, Error>?
        private var done = false
        private var cleanup: (@Sendable () -> Void)?

        func set(_ c: CheckedContinuation<T, Error>) { lock.withLock { cont = c } }
        func onDone(_ f: @escaping @Sendable () -> Void) {
            let already = lock.withLock { () -> Bool in
                if done { return true }
                cleanup = f
                return false
            }
            if already { f() }
        }
        @discardableResult
        func resume(_ r: Result<T, Error>) -> Bool {
            let (c, f) = lock.withLock { () -> (CheckedContinuation<T, Error>?, (@Sendable () -> Void)?) in
                guard !done else { return (nil, nil) }
                done = true
                defer { cont = nil; cleanup = nil }
                return (cont, cleanup)
            }
            guard let c else { return false }
            c.resume(with: r)
            f?()
            return true
        }
    }

    /// The connection went away (not an SQL error): worth one retry on a new connection.
    static func connectionLost(_ e: PSQLError) -> Bool {
        switch e.code {
        case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown: return true
        case .server:
            // 57P01 admin shutdown, 57P02 crash shutdown, 08xxx connection exceptions.
            let state = e.serverInfo?[.sqlState] ?? ""
            return state.hasPrefix("57P0") || state.hasPrefix("08")
        default: return false
        }
    }

    /// What went wrong, without the URL's password (PSQLError's own description says nothing).
    static func describe(_ e: PSQLError) -> String {
        if e.code == .server, let info = e.serverInfo {
            return "\(info[.message] ?? "error") (SQLSTATE \(info[.sqlState] ?? "?"))"
        }
        if let underlying = e.underlying { return "\(e.code): \(underlying)" }
        return "\(e.code)"
    }

    /// One statement with bound parameters (`?` numbered `$1...`); rows as cells.
    static func exec(_ conn: PostgresConnection, _ st: SQLStatement, _ logger: Logger) async throws -> [[SQLCell]] {
        var binds = PostgresBindings(capacity: st.args.count)
        for a in st.args {
            switch a {
            case .text(let s): try binds.append(s)
            case .int(let i): try binds.append(i)
            case .blob(let b): try binds.append(ByteBuffer(bytes: b))
            }
        }
        var out: [[SQLCell]] = []
        for try await row in try await conn.query(PostgresQuery(unsafeSQL: st.numbered, binds: binds), logger: logger) {
            var cells: [SQLCell] = []
            cells.reserveCapacity(row.count)
            for cell in row { cells.append(try Self.cell(cell)) }
            out.append(cells)
        }
        return out
    }

    static func cell(_ c: PostgresCell) throws -> SQLCell {
        guard let bytes = c.bytes else { return .null }
        switch c.dataType {
        case .int2, .int4, .int8: return .int(try c.decode(Int.self))
        case .float4, .float8: return .double(try c.decode(Double.self))
        case .numeric: return .double(NSDecimalNumber(decimal: try c.decode(Decimal.self)).doubleValue)
        case .bytea: return .blob(Array(bytes.readableBytesView))
        case .bool: return .int(try c.decode(Bool.self) ? 1 : 0)
        default: return .text(try c.decode(String.self))
        }
    }

    static func transaction<T>(_ conn: PostgresConnection, _ logger: Logger, _ body: () async throws -> T) async throws -> T {
        _ = try await exec(conn, SQLStatement("BEGIN"), logger)
        do {
            let value = try await body()
            _ = try await exec(conn, SQLStatement("COMMIT"), logger)
            return value
        } catch {
            _ = try? await exec(conn, SQLStatement("ROLLBACK"), logger)
            throw error
        }
    }

    func rows(_ st: SQLStatement) async throws -> [[SQLCell]] {
        let logger = logger
        return try await withConnection { try await Self.exec($0, st, logger) }
    }

    public func migrate() async throws {
        let logger = logger
        try await withConnection { conn in
            try await Self.transaction(conn, logger) {
                // One server migrates at a time; the others wait here and find the work done.
                _ = try await Self.exec(conn, SQLStatement("SELECT pg_advisory_xact_lock(?::bigint)", [.int(0x5352_494F_56)]), logger)
                _ = try await Self.exec(conn, SQLStatement("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied TEXT NOT NULL)"), logger)
                let done = Set(try await Self.exec(conn, SQLStatement("SELECT version FROM schema_migrations"), logger).map { $0[0].int })
                if !done.contains(1) {
                    for sql in SQLCore.schemaV1(blob: "BYTEA", int: "BIGINT") { _ = try await Self.exec(conn, SQLStatement(sql), logger) }
                    _ = try await Self.exec(conn, SQLStatement("INSERT INTO schema_migrations (version, applied) VALUES (?, ?)", [.int(1), .text(Clock.now())]), logger)
                }
            }
        }
    }

    public func insert(_ report: StoredReport) async throws -> (id: String, created: Bool) {
        let logger = logger
        return try await withConnection { conn -> (id: String, created: Bool) in
            try await Self.transaction(conn, logger) {
                let inserted = try await Self.exec(conn, SQLCore.insertReport(report), logger)
                if inserted.isEmpty {
                    let existing = try await Self.exec(conn, SQLCore.existingID(sha256: report.sha256), logger)
                    return (existing.first?.first?.string ?? report.id, false)
                }
                for st in SQLCore.afterInsert(report) { _ = try await Self.exec(conn, st, logger) }
                return (report.id, true)
            }
        }
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
        let logger = logger
        try await withConnection { conn in
            try await Self.transaction(conn, logger) {
                _ = try await Self.exec(conn, SQLCore.deleteRevokedToken(token.name), logger)
                _ = try await Self.exec(conn, SQLCore.insertToken(token), logger)
            }
        }
    }

    public func tokens() async throws -> [TokenRecord] {
        try await rows(SQLCore.tokens).map(SQLCore.decodeToken)
    }

    public func revokeToken(name: String, at time: String) async throws -> Bool {
        let logger = logger
        return try await withConnection { conn in
            try await Self.transaction(conn, logger) {
                let done = try await Self.exec(conn, SQLCore.revoke(name, time), logger)
                _ = try await Self.exec(conn, SQLCore.revokeSessions(name), logger)
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

    /// Ends the pool: cancelling `run()` closes its connections.
    public func close() async {
        runner.cancel()
        await runner.value
    }
}
