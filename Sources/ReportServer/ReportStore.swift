import Foundation

/// Roles a token can have. `admin` can do what `read` can; only `upload` may post reports.
public enum Role: String, Sendable, CaseIterable, Codable {
    case upload, read, admin

    /// Whether a token of this role may do what `needed` allows.
    public func allows(_ needed: Role) -> Bool {
        switch needed {
        case .upload: return self == .upload
        case .read: return self == .read || self == .admin
        case .admin: return self == .admin
        }
    }
}

public struct TokenRecord: Sendable, Equatable {
    public var name: String
    public var role: Role
    /// sha256 of the token, hex. The token itself is never stored.
    public var hash: String
    public var created: String
    public var revoked: String?
    public init(name: String, role: Role, hash: String, created: String, revoked: String?) {
        self.name = name; self.role = role; self.hash = hash; self.created = created; self.revoked = revoked
    }
}

/// One stored report: what was uploaded and what was extracted from it.
public struct StoredReport: Sendable {
    public var id: String
    public var sha256: String
    public var received: String
    public var site: String
    public var summary: ReportSummary
    public var bytes: [UInt8]
}

/// A row of the fleet: a host and the summary of its latest report.
public struct HostRow: Sendable, Equatable {
    public var hostKey: String
    public var hostId: String?
    public var host: String
    public var site: String
    public var lastReport: String
    public var received: String
    public var time: String?
    public var kernel: String?
    public var proxmox: String?
    public var level: String
    public var stages: [String: String]
    public var vfsEnabled: Int
    public var vfsTotal: Int
    public var failing: [String]
    public var devices: [ReportSummary.PFDevice]
    public var boardVendor: String
    public var boardModel: String
    public var biosVersion: String
    public var reports: Int
}

/// One report in a host's history.
public struct ReportListEntry: Sendable, Equatable {
    public var id: String
    public var received: String
    public var time: String?
    public var level: String
    public var site: String
    public var failing: [String]
}

public enum HostSort: String, Sendable, CaseIterable {
    case host, level, kernel, received, site
}

public struct HostQuery: Sendable {
    public var level: String?
    public var check: String?
    public var device: String?
    public var board: String?
    public var kernel: String?
    public var q: String?
    public var sort: HostSort = .host
    public var descending = false
    public var offset = 0
    public var limit = 50
    public init() {}
}

public struct HostPage: Sendable {
    public var total: Int
    public var hosts: [HostRow]
}

/// One cell of the compatibility table.
public struct CompatibilityRow: Sendable, Equatable {
    public var boardVendor: String
    public var boardModel: String
    public var biosVersion: String
    public var device: String
    public var driver: String
    public var hosts: Int
    public var passing: Int
    public var topFailing: String?
    public var topFailingHosts: Int
}

public struct StoreStats: Sendable {
    public var reports: Int
    public var hosts: Int
    public var bytes: Int
}

public struct StoreError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The server's storage: SQLite (embedded default) or PostgreSQL (several servers on one database).
/// Every statement in both implementations binds its values as parameters.
public protocol ReportStore: Sendable {
    /// Creates or upgrades the schema (idempotent; safe when several servers start at once).
    func migrate() async throws
    /// Stores a report unless a report with the same sha256 exists. Returns the stored id and
    /// whether it is new. Returns only after the transaction is committed.
    func insert(_ report: StoredReport) async throws -> (id: String, created: Bool)
    func report(id: String) async throws -> StoredReport?
    func hosts(_ query: HostQuery) async throws -> HostPage
    func reports(hostKey: String) async throws -> [ReportListEntry]
    func compatibility() async throws -> [CompatibilityRow]
    func stats() async throws -> StoreStats

    func createToken(_ token: TokenRecord) async throws
    func tokens() async throws -> [TokenRecord]
    /// Marks the token revoked; false when there is no active token of that name.
    func revokeToken(name: String, at time: String) async throws -> Bool

    func createSession(hash: String, token: String, csrf: String, expires: String) async throws
    /// The session's token name and CSRF token, if the session exists, is not expired and its
    /// token is not revoked.
    func session(hash: String, now: String) async throws -> (token: TokenRecord, csrf: String)?
    func deleteSession(hash: String) async throws

    /// Closes connections (PostgreSQL) before the process exits.
    func close() async
}

/// `sqlite:PATH` or `postgres://user:pass@host:port/db`.
public enum DatabaseLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(url: String)

    public static let defaultValue = "sqlite:/var/lib/sriov-report-server/reports.sqlite"

    public init(_ text: String) throws {
        if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count))
            guard !path.isEmpty else {
                throw StoreError("--database sqlite: needs a file path, e.g. sqlite:/var/lib/sriov-report-server/reports.sqlite")
            }
            self = .sqlite(path: path)
        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(url: text)
        } else {
            throw StoreError("--database \(text): unknown kind; use sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        }
    }

    public func open() async throws -> any ReportStore {
        switch self {
        case .sqlite(let path): return try SQLiteStore(path: path)
        case .postgres(let url):
            let store = try PostgresStore(url: url)
            do { try await store.probe() } catch { await store.close(); throw error }
            return store
        }
    }
}

enum Clock {
    /// UTC time, ISO 8601 with milliseconds: sorts as text.
    static func now(offset: TimeInterval = 0) -> String {
        // One formatter for the process: making one per call was 6.6% of the server's CPU time
        // under upload load (perf, BENCHMARKS.md). Foundation does not promise that a formatter
        // may be used from several threads at once, so calls take turns.
        formatter.withLock { $0.string(from: Date().addingTimeInterval(offset)) }
    }

    private static let formatter = LockedFormatter()

    private final class LockedFormatter: @unchecked Sendable {
        private let lock = NSLock()
        private let f: ISO8601DateFormatter = {
            let f = ISO8601DateFormatter()
            f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            f.timeZone = TimeZone(identifier: "UTC")
            return f
        }()
        func withLock<T>(_ body: (ISO8601DateFormatter) -> T) -> T { lock.withLock { body(f) } }
    }
}

/// Space-delimited lists stored in one column (" a b "), searched with LIKE '% a %'.
enum ListColumn {
    static func join(_ items: [String]) -> String { items.isEmpty ? "" : " " + items.joined(separator: " ") + " " }
    static func split(_ text: String) -> [String] { text.split(separator: " ").map(String.init) }
    static func devices(_ items: [ReportSummary.PFDevice]) -> String {
        join(items.map { $0.id + "=" + ($0.driver.isEmpty ? "-" : $0.driver) })
    }
    static func parseDevices(_ text: String) -> [ReportSummary.PFDevice] {
        split(text).map { item in
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            return .init(id: parts[0], driver: parts.count > 1 && parts[1] != "-" ? parts[1] : "")
        }
    }
    /// Escapes LIKE metacharacters (with ESCAPE '\').
    static func like(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }
}
