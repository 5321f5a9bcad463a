import Foundation
import Reports
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The real `sriov-report-server` process on loopback, over SQLite and PostgreSQL.
final class ServerIntegrationTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = try Paths.temporaryDirectory()
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    var sqlite: String { "sqlite:" + dir + "/reports.sqlite" }

    func postgresURL() throws -> String { try postgresTestURL() }

    // MARK: the scenario both stores must pass

    func uploadReadAndQuery(database: String) throws {
        let upload = try createToken(database, name: "desk-a", role: "upload")
        let read = try createToken(database, name: "viewer", role: "read")
        let server = try ServerProcess(database: database)
        let port = server.port

        let xml = try Paths.golden("lab-igb-noiommu")
        let first = try http(port, "POST", "/api/v1/reports", headers: [bearer(upload), xmlType], body: Array(xml.utf8))
        XCTAssertEqual(first.status, 201, first.text)
        let created = try first.json()
        let id = try XCTUnwrap(created["id"] as? String)
        XCTAssertEqual(created["host"] as? String, "sriov-lab")
        XCTAssertEqual(created["url"] as? String, "http://127.0.0.1:\(port)/api/v1/reports/\(id)")

        // The same bytes again: 200 with the same id, nothing new stored.
        let again = try http(port, "POST", "/api/v1/reports", headers: [bearer(upload), xmlType], body: Array(xml.utf8))
        XCTAssertEqual(again.status, 200, again.text)
        XCTAssertEqual(try again.json()["id"] as? String, id)

        // Exactly the uploaded bytes back.
        let back = try http(port, "GET", "/api/v1/reports/\(id)", headers: [bearer(read)])
        XCTAssertEqual(back.status, 200)
        XCTAssertEqual(back.body, Array(xml.utf8))
        XCTAssertEqual(back.header("Content-Type"), "application/xml; charset=utf-8")

        // The HTML is what `report --from` renders, byte for byte.
        let html = try http(port, "GET", "/api/v1/reports/\(id).html", headers: [bearer(read)])
        XCTAssertEqual(html.status, 200)
        XCTAssertEqual(html.text, try ReportHTML.render(try ReportXML.read(xml)))
        let csp = try XCTUnwrap(html.header("Content-Security-Policy"))
        XCTAssertTrue(csp.contains("default-src 'none'") && csp.contains("style-src 'sha256-") && csp.contains("script-src 'none'"), csp)

        // A second report of the same host (VFs now enabled) and one of another host.
        let later = try Paths.golden("lab-igb-maxvfs")
        let second = try http(port, "POST", "/api/v1/reports", headers: [bearer(upload), xmlType], body: Array(later.utf8))
        XCTAssertEqual(second.status, 201, second.text)
        let id2 = try XCTUnwrap(try second.json()["id"] as? String)
        let other = try http(port, "POST", "/api/v1/reports", headers: [bearer(upload), xmlType], body: Array(try Paths.golden("model").utf8))
        XCTAssertEqual(other.status, 201, other.text)

        let hosts = try http(port, "GET", "/api/v1/hosts", headers: [bearer(read)])
        XCTAssertEqual(hosts.status, 200, hosts.text)
        let list = try XCTUnwrap(try hosts.json()["hosts"] as? [[String: Any]])
        XCTAssertEqual(list.map { $0["host"] as? String }, ["pve-01", "sriov-lab"])
        let lab = try XCTUnwrap(list.first { $0["host"] as? String == "sriov-lab" })
        XCTAssertEqual(lab["site"] as? String, "desk-a")
        XCTAssertEqual(lab["hostId"] as? String, "name:sriov-lab")
        XCTAssertEqual(lab["reports"] as? Int, 2)
        let original = try ReportXML.read(later)
        XCTAssertEqual(lab["level"] as? String, original.level.rawValue)
        let vfs = try XCTUnwrap(lab["vfs"] as? [String: Any])
        XCTAssertEqual(vfs["enabled"] as? Int, original.vfCounts.enabled)
        XCTAssertEqual(vfs["possible"] as? Int, original.vfCounts.total)
        let stages = try XCTUnwrap(lab["stages"] as? [String: Any])
        XCTAssertEqual(stages["activation"] as? String, original.stages.first { $0.id == .activation }?.level.rawValue)
        let devices = try XCTUnwrap(lab["devices"] as? [[String: Any]])
        XCTAssertEqual(devices.first?["id"] as? String, "8086:10c9")
        XCTAssertEqual(devices.first?["driver"] as? String, "igb")
        let failing = lab["failing"] as? [String] ?? []
        XCTAssertEqual(failing, original.stages.flatMap(\.checks).filter { $0.level == .fail }.map(\.id))

        // Filters.
        let failingCheck = try XCTUnwrap(failing.first)
        func names(_ query: String) throws -> [String] {
            let r = try http(port, "GET", "/api/v1/hosts?" + query, headers: [bearer(read)])
            XCTAssertEqual(r.status, 200, r.text)
            return (try r.json()["hosts"] as? [[String: Any]] ?? []).compactMap { $0["host"] as? String }
        }
        let expectedFailing = list.filter { ($0["failing"] as? [String] ?? []).contains(failingCheck) }.compactMap { $0["host"] as? String }
        XCTAssertTrue(expectedFailing.contains("sriov-lab"))
        XCTAssertEqual(try names("check=" + failingCheck), expectedFailing)
        XCTAssertEqual(try names("check=no-such-check"), [])
        func having(_ device: String) -> [String] {
            list.filter { ($0["devices"] as? [[String: Any]] ?? []).contains { $0["id"] as? String == device || $0["driver"] as? String == device } }
                .compactMap { $0["host"] as? String }
        }
        XCTAssertTrue(having("8086:10c9").contains("sriov-lab"))
        XCTAssertEqual(try names("device=8086:10c9"), having("8086:10c9"))
        XCTAssertEqual(try names("device=igb"), having("igb"))
        XCTAssertEqual(try names("device=ffff:0000"), [])
        XCTAssertEqual(try names("q=PVE"), ["pve-01"])
        XCTAssertEqual(try names("board=qemu"), ["sriov-lab"])
        XCTAssertEqual(try names("kernel=6.12"), ["sriov-lab"])
        XCTAssertEqual(try names("q=nothing-like-this"), [])
        XCTAssertEqual(try names("sort=-host"), ["sriov-lab", "pve-01"])
        XCTAssertEqual(try names("limit=1&offset=1"), ["sriov-lab"])
        XCTAssertEqual(try http(port, "GET", "/api/v1/hosts?level=bad", headers: [bearer(read)]).status, 400)
        XCTAssertEqual(try http(port, "GET", "/api/v1/hosts?limit=0", headers: [bearer(read)]).status, 400)

        // History and diff.
        let history = try http(port, "GET", "/api/v1/hosts/name:sriov-lab/reports", headers: [bearer(read)])
        XCTAssertEqual(history.status, 200, history.text)
        let entries = try XCTUnwrap(try history.json()["reports"] as? [[String: Any]])
        XCTAssertEqual(Set(entries.compactMap { $0["id"] as? String }), [id, id2])
        XCTAssertEqual(try http(port, "GET", "/api/v1/hosts/name:nobody/reports", headers: [bearer(read)]).status, 404)

        let diff = try http(port, "GET", "/api/v1/reports/\(id)/diff/\(id2)", headers: [bearer(read)])
        XCTAssertEqual(diff.status, 200, diff.text)
        let d = try diff.json()
        let expected = ReportDiffExpectation(from: try ReportXML.read(xml), to: original)
        let checks = try XCTUnwrap(d["checks"] as? [[String: Any]])
        XCTAssertEqual(Set(checks.compactMap { $0["id"] as? String }), expected.changedChecks)
        XCTAssertFalse(checks.isEmpty, "the two lab reports differ in their checks")
        let dv = try XCTUnwrap(d["vfs"] as? [String: Any])
        XCTAssertEqual((dv["added"] as? [String])?.count, expected.vfsAdded)
        XCTAssertEqual(try http(port, "GET", "/api/v1/reports/\(id)/diff/0000", headers: [bearer(read)]).status, 404)

        // Health and metrics.
        let health = try http(port, "GET", "/healthz")
        XCTAssertEqual(health.status, 200)
        let metrics = try http(port, "GET", "/metrics").text
        XCTAssertTrue(metrics.contains(#"sriov_report_uploads_total{outcome="created"} 3"#), metrics)
        XCTAssertTrue(metrics.contains(#"sriov_report_uploads_total{outcome="duplicate"} 1"#), metrics)
        XCTAssertTrue(metrics.contains("sriov_report_store_reports 3"), metrics)
        XCTAssertTrue(metrics.contains("sriov_report_request_duration_seconds_bucket"), metrics)

        // SIGTERM: the server stops accepting and exits 0.
        server.stop(signal: SIGTERM)
        XCTAssertEqual(server.process.terminationStatus, 0)
    }

    func testUploadReadAndQueryOnSQLite() throws {
        try uploadReadAndQuery(database: sqlite)
    }

    func testUploadReadAndQueryOnPostgreSQL() throws {
        try uploadReadAndQuery(database: try postgresURL())
    }

    // MARK: tokens and roles

    func tokensAndRoles(database: String) throws {
        let upload = try createToken(database, name: "site-1", role: "upload")
        let read = try createToken(database, name: "reader", role: "read")
        let admin = try createToken(database, name: "boss", role: "admin")
        let server = try ServerProcess(database: database)
        let port = server.port
        let xml = Array(try Paths.golden("sample-host").utf8)

        let none = try http(port, "POST", "/api/v1/reports", headers: [xmlType], body: xml)
        XCTAssertEqual(none.status, 401)
        XCTAssertEqual(try none.json()["error"] as? String, "no-token")
        XCTAssertEqual(none.header("WWW-Authenticate"), "Bearer realm=\"sriov-report-server\"")
        let wrong = try http(port, "POST", "/api/v1/reports", headers: [bearer(upload.dropLast() + (upload.hasSuffix("0") ? "1" : "0")), xmlType], body: xml)
        XCTAssertEqual(wrong.status, 401)
        XCTAssertEqual(try wrong.json()["error"] as? String, "bad-token")
        XCTAssertEqual(try http(port, "POST", "/api/v1/reports", headers: [("Authorization", "Basic abc"), xmlType], body: xml).status, 401)
        // Read and admin tokens cannot upload; an upload token cannot read.
        XCTAssertEqual(try http(port, "POST", "/api/v1/reports", headers: [bearer(read), xmlType], body: xml).status, 403)
        XCTAssertEqual(try http(port, "POST", "/api/v1/reports", headers: [bearer(admin), xmlType], body: xml).status, 403)
        let forbidden = try http(port, "GET", "/api/v1/hosts", headers: [bearer(upload)])
        XCTAssertEqual(forbidden.status, 403)
        XCTAssertTrue((try forbidden.json()["message"] as? String ?? "").contains("read or admin"))
        XCTAssertEqual(try http(port, "GET", "/api/v1/hosts").status, 401)
        XCTAssertEqual(try http(port, "GET", "/api/v1/hosts", headers: [bearer(admin)]).status, 200)
        // Spanish messages for Spanish clients.
        let es = try http(port, "GET", "/api/v1/hosts", headers: [("Accept-Language", "es-ES,es;q=0.9")])
        XCTAssertTrue((try es.json()["message"] as? String ?? "").contains("necesita un token"), es.text)

        XCTAssertEqual(try http(port, "POST", "/api/v1/reports", headers: [bearer(upload), xmlType], body: xml).status, 201)
        // Revoked while the server runs: refused from the next request on.
        let revoke = try runServerCommand(["token", "revoke", "site-1", "--database", database])
        XCTAssertEqual(revoke.status, 0, revoke.stderr)
        let revoked = try http(port, "POST", "/api/v1/reports", headers: [bearer(upload), xmlType], body: Array(renamed(String(decoding: xml, as: UTF8.self), "x").utf8))
        XCTAssertEqual(revoked.status, 401)
        XCTAssertEqual(try runServerCommand(["token", "revoke", "site-1", "--database", database]).status, 2)

        // token list shows names and roles, never a token or its hash.
        let list = try runServerCommand(["token", "list", "--database", database])
        XCTAssertEqual(list.status, 0)
        XCTAssertTrue(list.stdout.contains("site-1\tupload") && list.stdout.contains("revoked"), list.stdout)
        for t in [upload, read, admin] {
            XCTAssertFalse(list.stdout.contains(t))
            XCTAssertFalse(list.stdout.contains(tokenHash(t)))
        }
        // A second active token of the same name is refused.
        XCTAssertEqual(try runServerCommand(["token", "create", "--name", "reader", "--role", "read", "--database", database]).status, 2)
        XCTAssertNotEqual(try runServerCommand(["token", "create", "--name", "bad name", "--role", "read", "--database", database]).status, 0)
        XCTAssertNotEqual(try runServerCommand(["token", "create", "--name", "n", "--role", "root", "--database", database]).status, 0)
    }

    func testTokensAndRolesOnSQLite() throws { try tokensAndRoles(database: sqlite) }
    func testTokensAndRolesOnPostgreSQL() throws { try tokensAndRoles(database: try postgresURL()) }

    func testTokensAreRandomAndStoredOnlyAsHashes() throws {
        let a = try createToken(sqlite, name: "a", role: "upload")
        let b = try createToken(sqlite, name: "b", role: "upload")
        XCTAssertNotEqual(a, b)
        XCTAssertEqual(a.count, 4 + 64, "256 bits as hex")
        let raw = try Data(contentsOf: URL(fileURLWithPath: dir + "/reports.sqlite"))
        let everything = raw + ((try? Data(contentsOf: URL(fileURLWithPath: dir + "/reports.sqlite-wal"))) ?? Data())
        XCTAssertNil(everything.range(of: Data(a.utf8)), "the token itself is not in the database")
        XCTAssertNotNil(everything.range(of: Data(tokenHash(a).utf8)), "its sha256 is")
    }

    func testBadDatabaseAndListenAreClearErrors() throws {
        let r = try runServerCommand(["token", "list", "--database", "mysql://x"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("use sqlite:PATH or postgres://"), r.stderr)
        let missing = try runServerCommand(["token", "list", "--database", "sqlite:/nonexistent-dir/x.sqlite"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("does not exist"), missing.stderr)
        let listen = try runServerCommand(["serve", "--listen", "localhost", "--database", sqlite])
        XCTAssertNotEqual(listen.status, 0)
        XCTAssertTrue(listen.stderr.contains("HOST:PORT"), listen.stderr)
        let pg = try runServerCommand(["token", "list", "--database", "postgres://nobody:x@127.0.0.1:1/none"])
        XCTAssertEqual(pg.status, 2)
        XCTAssertTrue(pg.stderr.contains("cannot connect to PostgreSQL at postgres://nobody@127.0.0.1:1/none"), pg.stderr)
        XCTAssertFalse(pg.stderr.contains("nobody:x"), "the password is not echoed")
    }
}

/// What the diff of two reports must contain, computed here from the models directly.
struct ReportDiffExpectation {
    var changedChecks: Set<String>
    var vfsAdded: Int

    init(from a: HostReport, to b: HostReport) {
        func levels(_ r: HostReport) -> [String: String] {
            Dictionary(r.stages.flatMap(\.checks).map { ($0.id + "|" + ($0.device ?? ""), $0.level.rawValue) }, uniquingKeysWith: { x, _ in x })
        }
        let x = levels(a), y = levels(b)
        changedChecks = Set(Set(x.keys).union(y.keys).filter { x[$0] != y[$0] }.map { String($0.split(separator: "|", omittingEmptySubsequences: false)[0]) })
        let vfsA = Set(a.devices.flatMap(\.vfs).map(\.address)), vfsB = Set(b.devices.flatMap(\.vfs).map(\.address))
        vfsAdded = vfsB.subtracting(vfsA).count
    }
}

func tokenHash(_ token: String) -> String {
    // sha256 via the same library the server uses would hide a bug in both; use coreutils instead.
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    let input = Pipe(), output = Pipe()
    p.standardInput = input
    p.standardOutput = output
    try? p.run()
    input.fileHandleForWriting.write(Data(token.utf8))
    try? input.fileHandleForWriting.close()
    let out = output.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(String(decoding: out, as: UTF8.self).prefix(64))
}

/// PostgreSQL from SRIOV_TEST_POSTGRES_URL; in CI (CI=true) its absence is a failure, not a skip.
/// Each test gets its own schema-free database state by truncating the tables first.
func postgresTestURL() throws -> String {
    guard let url = ProcessInfo.processInfo.environment["SRIOV_TEST_POSTGRES_URL"], !url.isEmpty else {
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            throw NSError(domain: "ReportServerTests", code: 1, userInfo: [NSLocalizedDescriptionKey:
                "CI=true but SRIOV_TEST_POSTGRES_URL is not set: .ci/run must start PostgreSQL and export it (postgres://USER:PASS@127.0.0.1:5432/DB)"])
        }
        throw XCTSkip("PostgreSQL tests skipped: set SRIOV_TEST_POSTGRES_URL=postgres://USER:PASS@HOST:PORT/DB to run them")
    }
    // Empty the tables of an earlier run (they exist after the first migration).
    let psql = Process()
    psql.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
    psql.arguments = [url, "-q", "-c", "DO $$ BEGIN IF to_regclass('reports') IS NOT NULL THEN TRUNCATE report_devices, report_failing, hosts, sessions, tokens, reports; END IF; END $$;"]
    try psql.run()
    psql.waitUntilExit()
    XCTAssertEqual(psql.terminationStatus, 0, "psql could not reach \(url)")
    return url
}

