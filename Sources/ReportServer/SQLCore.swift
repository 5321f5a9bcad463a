import Foundation

/// A bound parameter. No value is ever spliced into SQL text.
enum SQLValue: Sendable {
    case text(String?)
    case int(Int)
    case blob([UInt8])
}

/// A column value read back.
enum SQLCell: Sendable {
    case null, int(Int), double(Double), text(String), blob([UInt8])

    var string: String? {
        switch self {
        case .text(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .blob(let b): return String(decoding: b, as: UTF8.self)
        case .null: return nil
        }
    }
    var int: Int {
        switch self {
        case .int(let i): return i
        case .double(let d): return Int(d)
        case .text(let s): return Int(s) ?? 0
        default: return 0
        }
    }
    var bytes: [UInt8] {
        switch self {
        case .blob(let b): return b
        case .text(let s): return Array(s.utf8)
        default: return []
        }
    }
}

struct SQLStatement: Sendable {
    var sql: String
    var args: [SQLValue]
    init(_ sql: String, _ args: [SQLValue] = []) { self.sql = sql; self.args = args }

    /// `?` placeholders as PostgreSQL's `$1, $2, ...` (the SQL here never has `?` in a literal).
    var numbered: String {
        var out = ""
        var n = 0
        for ch in sql {
            if ch == "?" { n += 1; out += "$\(n)" } else { out.append(ch) }
        }
        return out
    }
}

/// The SQL both stores share, and the decoding of its rows. Dialect differences are parameters.
enum SQLCore {
    static let reportColumns = """
        id, sha256, received, site, host_key, host_id, host, time, kernel, proxmox, level, \
        st_prerequisites, st_bios, st_device, st_activation, vfs_enabled, vfs_total, failing, devices, \
        board_vendor, board_model, bios_version
        """

    /// Inserts the report row, or nothing when these bytes are stored already (RETURNING tells).
    static func insertReport(_ r: StoredReport) -> SQLStatement {
        let s = r.summary
        return SQLStatement("""
            INSERT INTO reports (\(reportColumns), sort_time, size, body)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (sha256) DO NOTHING RETURNING id
            """, [
            .text(r.id), .text(r.sha256), .text(r.received), .text(r.site), .text(s.hostKey), .text(s.hostId), .text(s.host),
            .text(s.time), .text(s.kernel), .text(s.proxmox), .text(s.level),
            .text(s.stages["prerequisites"] ?? ""), .text(s.stages["bios"] ?? ""), .text(s.stages["device"] ?? ""),
            .text(s.stages["activation"] ?? ""), .int(s.vfsEnabled), .int(s.vfsTotal),
            .text(ListColumn.join(s.failing)), .text(ListColumn.devices(s.devices)),
            .text(s.boardVendor), .text(s.boardModel), .text(s.biosVersion),
            .text(sortTime(r)), .int(r.bytes.count), .blob(r.bytes),
        ])
    }

    static func sortTime(_ r: StoredReport) -> String { r.summary.time ?? r.received }

    static func existingID(sha256: String) -> SQLStatement {
        SQLStatement("SELECT id FROM reports WHERE sha256 = ?", [.text(sha256)])
    }

    /// What follows a new report row in the same transaction.
    static func afterInsert(_ r: StoredReport) -> [SQLStatement] {
        var out: [SQLStatement] = []
        for d in r.summary.devices {
            out.append(SQLStatement("INSERT INTO report_devices (report_id, host_key, device, driver) VALUES (?, ?, ?, ?)",
                                    [.text(r.id), .text(r.summary.hostKey), .text(d.id), .text(d.driver)]))
        }
        for c in r.summary.failing {
            out.append(SQLStatement("INSERT INTO report_failing (report_id, host_key, check_id) VALUES (?, ?, ?)",
                                    [.text(r.id), .text(r.summary.hostKey), .text(c)]))
        }
        // The host's latest report is the one with the newest report time (upload time if none):
        // a report queued in an outbox for a day does not replace a newer one.
        out.append(SQLStatement("""
            INSERT INTO hosts (host_key, latest_id, sort_time, reports) VALUES (?, ?, ?, 1)
            ON CONFLICT (host_key) DO UPDATE SET
              reports = hosts.reports + 1,
              latest_id = CASE WHEN excluded.sort_time >= hosts.sort_time THEN excluded.latest_id ELSE hosts.latest_id END,
              sort_time = CASE WHEN excluded.sort_time >= hosts.sort_time THEN excluded.sort_time ELSE hosts.sort_time END
            """, [.text(r.summary.hostKey), .text(r.id), .text(sortTime(r))]))
        return out
    }

    static func report(id: String) -> SQLStatement {
        SQLStatement("SELECT \(reportColumns), body FROM reports WHERE id = ?", [.text(id)])
    }

    static func decodeReport(_ row: [SQLCell]) -> StoredReport {
        let summary = decodeSummary(row)
        return StoredReport(id: row[0].string ?? "", sha256: row[1].string ?? "", received: row[2].string ?? "",
                            site: row[3].string ?? "", summary: summary, bytes: row[22].bytes)
    }

    /// Columns 4... of `reportColumns`.
    static func decodeSummary(_ row: [SQLCell]) -> ReportSummary {
        var s = ReportSummary.empty
        s.hostKey = row[4].string ?? ""
        s.hostId = row[5].string
        s.host = row[6].string ?? ""
        s.time = row[7].string
        s.kernel = row[8].string
        s.proxmox = row[9].string
        s.level = row[10].string ?? ""
        for (i, name) in ReportSummary.stageOrder.enumerated() {
            if let v = row[11 + i].string, !v.isEmpty { s.stages[name] = v }
        }
        s.vfsEnabled = row[15].int
        s.vfsTotal = row[16].int
        s.failing = ListColumn.split(row[17].string ?? "")
        s.devices = ListColumn.parseDevices(row[18].string ?? "")
        s.boardVendor = row[19].string ?? ""
        s.boardModel = row[20].string ?? ""
        s.biosVersion = row[21].string ?? ""
        return s
    }

    // MARK: fleet

    static func hostFilter(_ q: HostQuery) -> (String, [SQLValue]) {
        var clauses: [String] = []
        var args: [SQLValue] = []
        if let v = q.level, !v.isEmpty { clauses.append("r.level = ?"); args.append(.text(v)) }
        if let v = q.check, !v.isEmpty {
            clauses.append("r.failing LIKE ? ESCAPE '\\'"); args.append(.text("% " + ListColumn.like(v) + " %"))
        }
        if let v = q.device, !v.isEmpty {
            // vendor:device exactly, or a driver name
            clauses.append("(LOWER(r.devices) LIKE ? ESCAPE '\\' OR LOWER(r.devices) LIKE ? ESCAPE '\\')")
            let e = ListColumn.like(v.lowercased())
            args.append(.text("% " + e + "=%")); args.append(.text("%=" + e + " %"))
        }
        if let v = q.board, !v.isEmpty {
            clauses.append("LOWER(r.board_vendor || ' ' || r.board_model || ' ' || r.bios_version) LIKE ? ESCAPE '\\'")
            args.append(.text("%" + ListColumn.like(v.lowercased()) + "%"))
        }
        if let v = q.kernel, !v.isEmpty {
            clauses.append("r.kernel LIKE ? ESCAPE '\\'"); args.append(.text(ListColumn.like(v) + "%"))
        }
        if let v = q.q, !v.isEmpty {
            clauses.append("LOWER(r.host || ' ' || r.host_key || ' ' || r.site || ' ' || COALESCE(r.kernel, '') || ' ' || r.board_vendor || ' ' || r.board_model) LIKE ? ESCAPE '\\'")
            args.append(.text("%" + ListColumn.like(v.lowercased()) + "%"))
        }
        return (clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND "), args)
    }

    static func hostCount(_ q: HostQuery) -> SQLStatement {
        let (w, a) = hostFilter(q)
        return SQLStatement("SELECT COUNT(*) FROM hosts h JOIN reports r ON r.id = h.latest_id \(w)", a)
    }

    static func hostPage(_ q: HostQuery) -> SQLStatement {
        let (w, a) = hostFilter(q)
        let order: String
        switch q.sort {
        case .host: order = "r.host"
        case .level: order = "CASE r.level WHEN 'fail' THEN 4 WHEN 'warn' THEN 3 WHEN 'note' THEN 2 WHEN 'pass' THEN 1 ELSE 0 END"
        case .kernel: order = "r.kernel"
        case .received: order = "r.received"
        case .site: order = "r.site"
        }
        let dir = q.descending ? "DESC" : "ASC"
        let cols = reportColumns.split(separator: ",").map { "r." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")
        return SQLStatement("""
            SELECT \(cols), h.reports FROM hosts h JOIN reports r ON r.id = h.latest_id \(w)
            ORDER BY \(order) \(dir), r.host_key ASC LIMIT ? OFFSET ?
            """, a + [.int(q.limit), .int(q.offset)])
    }

    static func decodeHost(_ row: [SQLCell]) -> HostRow {
        let s = decodeSummary(row)
        return HostRow(hostKey: s.hostKey, hostId: s.hostId, host: s.host, site: row[3].string ?? "", lastReport: row[0].string ?? "",
                       received: row[2].string ?? "", time: s.time, kernel: s.kernel, proxmox: s.proxmox, level: s.level,
                       stages: s.stages, vfsEnabled: s.vfsEnabled, vfsTotal: s.vfsTotal, failing: s.failing, devices: s.devices,
                       boardVendor: s.boardVendor, boardModel: s.boardModel, biosVersion: s.biosVersion, reports: row[22].int)
    }

    static func hostReports(_ hostKey: String) -> SQLStatement {
        SQLStatement("SELECT id, received, time, level, site, failing FROM reports WHERE host_key = ? ORDER BY sort_time DESC, received DESC",
                     [.text(hostKey)])
    }

    static func decodeEntry(_ row: [SQLCell]) -> ReportListEntry {
        ReportListEntry(id: row[0].string ?? "", received: row[1].string ?? "", time: row[2].string, level: row[3].string ?? "",
                        site: row[4].string ?? "", failing: ListColumn.split(row[5].string ?? ""))
    }

    // MARK: compatibility

    static let compatibilityHosts = SQLStatement("""
        SELECT r.board_vendor, r.board_model, r.bios_version, d.device, d.driver,
               COUNT(DISTINCT r.host_key),
               COUNT(DISTINCT CASE WHEN r.st_activation = 'pass' THEN r.host_key END)
        FROM reports r JOIN report_devices d ON d.report_id = r.id
        GROUP BY r.board_vendor, r.board_model, r.bios_version, d.device, d.driver
        """)

    static let compatibilityFailing = SQLStatement("""
        SELECT r.board_vendor, r.board_model, r.bios_version, d.device, d.driver, f.check_id, COUNT(DISTINCT r.host_key)
        FROM reports r JOIN report_devices d ON d.report_id = r.id JOIN report_failing f ON f.report_id = r.id
        GROUP BY r.board_vendor, r.board_model, r.bios_version, d.device, d.driver, f.check_id
        """)

    static func compatibility(hosts: [[SQLCell]], failing: [[SQLCell]]) -> [CompatibilityRow] {
        func key(_ r: [SQLCell]) -> String { (0..<5).map { r[$0].string ?? "" }.joined(separator: "\u{1}") }
        var top: [String: (String, Int)] = [:]
        for r in failing {
            let k = key(r), c = r[6].int, id = r[5].string ?? ""
            if let cur = top[k], cur.1 > c || (cur.1 == c && cur.0 < id) { continue }
            top[k] = (id, c)
        }
        return hosts.map { r in
            let t = top[key(r)]
            return CompatibilityRow(boardVendor: r[0].string ?? "", boardModel: r[1].string ?? "", biosVersion: r[2].string ?? "",
                                    device: r[3].string ?? "", driver: r[4].string ?? "", hosts: r[5].int, passing: r[6].int,
                                    topFailing: t?.0, topFailingHosts: t?.1 ?? 0)
        }.sorted {
            ($0.hosts, $1.boardVendor, $1.boardModel, $1.biosVersion, $1.device) > ($1.hosts, $0.boardVendor, $0.boardModel, $0.biosVersion, $0.device)
        }
    }

    static let stats = SQLStatement("SELECT COUNT(*), CAST(COALESCE(SUM(size), 0) AS BIGINT), (SELECT COUNT(*) FROM hosts) FROM reports")

    // MARK: tokens and sessions

    static func deleteRevokedToken(_ name: String) -> SQLStatement {
        SQLStatement("DELETE FROM tokens WHERE name = ? AND revoked IS NOT NULL", [.text(name)])
    }
    static func insertToken(_ t: TokenRecord) -> SQLStatement {
        SQLStatement("INSERT INTO tokens (name, role, hash, created) VALUES (?, ?, ?, ?)",
                     [.text(t.name), .text(t.role.rawValue), .text(t.hash), .text(t.created)])
    }
    static let tokens = SQLStatement("SELECT name, role, hash, created, revoked FROM tokens ORDER BY name")
    static func decodeToken(_ r: [SQLCell]) -> TokenRecord {
        TokenRecord(name: r[0].string ?? "", role: Role(rawValue: r[1].string ?? "") ?? .read, hash: r[2].string ?? "",
                    created: r[3].string ?? "", revoked: r[4].string)
    }
    static func revoke(_ name: String, _ time: String) -> SQLStatement {
        SQLStatement("UPDATE tokens SET revoked = ? WHERE name = ? AND revoked IS NULL RETURNING name", [.text(time), .text(name)])
    }
    static func revokeSessions(_ name: String) -> SQLStatement {
        SQLStatement("DELETE FROM sessions WHERE token_name = ?", [.text(name)])
    }
    static func insertSession(hash: String, token: String, csrf: String, expires: String) -> SQLStatement {
        SQLStatement("INSERT INTO sessions (hash, token_name, csrf, expires) VALUES (?, ?, ?, ?)",
                     [.text(hash), .text(token), .text(csrf), .text(expires)])
    }
    static func session(hash: String, now: String) -> SQLStatement {
        SQLStatement("""
            SELECT t.name, t.role, t.hash, t.created, t.revoked, s.csrf FROM sessions s JOIN tokens t ON t.name = s.token_name
            WHERE s.hash = ? AND s.expires > ? AND t.revoked IS NULL
            """, [.text(hash), .text(now)])
    }
    static func deleteSession(hash: String) -> SQLStatement {
        SQLStatement("DELETE FROM sessions WHERE hash = ?", [.text(hash)])
    }
    static func expireSessions(now: String) -> SQLStatement {
        SQLStatement("DELETE FROM sessions WHERE expires <= ?", [.text(now)])
    }

    /// Schema version 1, per dialect (`blob` is BLOB or BYTEA, `int` INTEGER or BIGINT).
    static func schemaV1(blob: String, int: String) -> [String] {
        [
            """
            CREATE TABLE reports (
              id TEXT PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, received TEXT NOT NULL, site TEXT NOT NULL,
              host_key TEXT NOT NULL, host_id TEXT, host TEXT NOT NULL, time TEXT, kernel TEXT, proxmox TEXT,
              level TEXT NOT NULL, st_prerequisites TEXT NOT NULL, st_bios TEXT NOT NULL, st_device TEXT NOT NULL,
              st_activation TEXT NOT NULL, vfs_enabled \(int) NOT NULL, vfs_total \(int) NOT NULL,
              failing TEXT NOT NULL, devices TEXT NOT NULL, board_vendor TEXT NOT NULL, board_model TEXT NOT NULL,
              bios_version TEXT NOT NULL, sort_time TEXT NOT NULL, size \(int) NOT NULL, body \(blob) NOT NULL)
            """,
            "CREATE INDEX reports_host ON reports (host_key, sort_time)",
            "CREATE TABLE report_devices (report_id TEXT NOT NULL REFERENCES reports(id), host_key TEXT NOT NULL, device TEXT NOT NULL, driver TEXT NOT NULL)",
            "CREATE INDEX report_devices_report ON report_devices (report_id)",
            "CREATE TABLE report_failing (report_id TEXT NOT NULL REFERENCES reports(id), host_key TEXT NOT NULL, check_id TEXT NOT NULL)",
            "CREATE INDEX report_failing_report ON report_failing (report_id)",
            "CREATE TABLE hosts (host_key TEXT PRIMARY KEY, latest_id TEXT NOT NULL, sort_time TEXT NOT NULL, reports \(int) NOT NULL)",
            "CREATE TABLE tokens (name TEXT PRIMARY KEY, role TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, created TEXT NOT NULL, revoked TEXT)",
            "CREATE TABLE sessions (hash TEXT PRIMARY KEY, token_name TEXT NOT NULL, csrf TEXT NOT NULL, expires TEXT NOT NULL)",
        ]
    }
}

extension ReportSummary {
    static var empty: ReportSummary {
        ReportSummary(hostKey: "", hostId: nil, host: "", kernel: nil, proxmox: nil, time: nil, level: "", stages: [:], vfsEnabled: 0,
                      vfsTotal: 0, failing: [], boardVendor: "", boardModel: "", biosVersion: "", devices: [])
    }
}
