import Foundation
import XCTest

/// The web pages through the real server: sign-in, session cookie, CSRF, fleet, host, diff,
/// compatibility, both languages.
final class PagesTests: XCTestCase {
    var dir = ""
    var server: ServerProcess!
    var upload = "", read = ""
    var ids: [String] = []

    override func setUpWithError() throws {
        dir = try Paths.temporaryDirectory()
        let db = "sqlite:" + dir + "/reports.sqlite"
        upload = try createToken(db, name: "desk", role: "upload")
        read = try createToken(db, name: "viewer", role: "read")
        server = try ServerProcess(database: db)
        for name in ["lab-igb-noiommu", "lab-igb-maxvfs", "model", "sample-host-vfs"] {
            var xml = try Paths.golden(name)
            if name == "sample-host-vfs" { xml = renamed(xml, "other-host") }
            let r = try http(server.port, "POST", "/api/v1/reports", headers: [bearer(upload), xmlType], body: Array(xml.utf8))
            XCTAssertEqual(r.status, 201, r.text)
            ids.append(try XCTUnwrap(try r.json()["id"] as? String))
        }
    }

    override func tearDown() {
        server?.stop()
        try? FileManager.default.removeItem(atPath: dir)
    }

    func cookieValue(_ r: HTTPResult, _ name: String) -> String? {
        for c in r.headers("Set-Cookie") where c.hasPrefix(name + "=") {
            return String(c.dropFirst(name.count + 1).prefix { $0 != ";" })
        }
        return nil
    }

    func signIn(_ token: String) throws -> (cookie: String, result: HTTPResult) {
        let form = try http(server.port, "GET", "/login")
        XCTAssertEqual(form.status, 200)
        let pre = try XCTUnwrap(cookieValue(form, "srs_login"))
        XCTAssertTrue(form.text.contains("name=\"csrf\" value=\"\(pre)\""), "the form carries the CSRF token")
        let body = "csrf=\(pre)&token=\(token)"
        let r = try http(server.port, "POST", "/login", headers: [("Cookie", "srs_login=\(pre)"), ("Content-Type", "application/x-www-form-urlencoded")],
                         body: Array(body.utf8))
        return (cookieValue(r, "srs_session") ?? "", r)
    }

    func testSignInFleetHostDiffAndSignOut() throws {
        // Not signed in: pages send the browser to /login.
        let anonymous = try http(server.port, "GET", "/")
        XCTAssertEqual(anonymous.status, 303)
        XCTAssertEqual(anonymous.header("Location"), "/login")

        let (session, login) = try signIn(read)
        XCTAssertEqual(login.status, 303, login.text)
        let setCookie = try XCTUnwrap(login.headers("Set-Cookie").first { $0.hasPrefix("srs_session=") })
        XCTAssertTrue(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Path=/"), setCookie)
        XCTAssertFalse(setCookie.contains("Secure"), "plain HTTP on loopback")
        let cookie = ("Cookie", "srs_session=\(session)")

        let fleet = try http(server.port, "GET", "/", headers: [cookie])
        XCTAssertEqual(fleet.status, 200)
        XCTAssertTrue(fleet.text.contains("id=\"fleet\""))
        for host in ["sriov-lab", "pve-01", "other-host"] { XCTAssertTrue(fleet.text.contains(">\(host)</a>"), host) }
        XCTAssertFalse(fleet.text.contains("<script"), "no JavaScript")
        XCTAssertTrue(fleet.text.contains("href=\"/static/style.css\""))
        // Every POST form carries the session's CSRF token.
        XCTAssertTrue(fleet.text.contains("action=\"/logout\""))
        XCTAssertTrue(fleet.text.range(of: #"name="csrf" value="[0-9a-f]{64}""#, options: .regularExpression) != nil)

        // Filter by a failing check (from the lab report without IOMMU): only that host.
        let filtered = try http(server.port, "GET", "/?check=cpu-virtualization&sort=-host", headers: [cookie])
        XCTAssertEqual(filtered.status, 200)
        XCTAssertTrue(filtered.text.contains(">sriov-lab</a>"))
        XCTAssertFalse(filtered.text.contains(">pve-01</a>"))

        // Host page: history of two reports, diff with the previous one.
        let host = try http(server.port, "GET", "/hosts/name:sriov-lab", headers: [cookie])
        XCTAssertEqual(host.status, 200, host.text)
        XCTAssertTrue(host.text.contains("/api/v1/reports/\(ids[0]).html") && host.text.contains("/api/v1/reports/\(ids[1]).html"))
        XCTAssertTrue(host.text.contains("/diff/"))
        let chooser = try http(server.port, "GET", "/diff?from=\(ids[0])&to=\(ids[1])", headers: [cookie])
        XCTAssertEqual(chooser.status, 303)
        XCTAssertEqual(chooser.header("Location"), "/diff/\(ids[0])/\(ids[1])")
        let diff = try http(server.port, "GET", "/diff/\(ids[0])/\(ids[1])", headers: [cookie])
        XCTAssertEqual(diff.status, 200)
        XCTAssertTrue(diff.text.contains("id=\"checks\""), diff.text)

        // The HTML report opens with the session cookie too.
        XCTAssertEqual(try http(server.port, "GET", "/api/v1/reports/\(ids[1]).html", headers: [cookie]).status, 200)

        // Compatibility: the emulated 82576 on the QEMU board reached activation? The table says
        // what the reports say.
        let compat = try http(server.port, "GET", "/compatibility", headers: [cookie])
        XCTAssertEqual(compat.status, 200)
        XCTAssertTrue(compat.text.contains("8086:10c9"), compat.text)

        // Spanish labels.
        let es = try http(server.port, "GET", "/?lang=es", headers: [cookie])
        XCTAssertTrue(es.text.contains("Flota") && es.text.contains("Compatibilidad") && es.text.contains("lang=\"es\""))
        let esHeader = try http(server.port, "GET", "/compatibility", headers: [cookie, ("Accept-Language", "es")])
        XCTAssertTrue(esHeader.text.contains("Llegan a una etapa de activación correcta"))

        // Sign out needs the CSRF token; without it nothing happens.
        let csrf = try XCTUnwrap(fleet.text.range(of: #"(?<=name="csrf" value=")[0-9a-f]{64}"#, options: .regularExpression).map { String(fleet.text[$0]) })
        let forged = try http(server.port, "POST", "/logout", headers: [cookie, ("Content-Type", "application/x-www-form-urlencoded")], body: Array("csrf=00".utf8))
        XCTAssertEqual(forged.status, 403)
        XCTAssertEqual(try http(server.port, "GET", "/", headers: [cookie]).status, 200)
        let out = try http(server.port, "POST", "/logout", headers: [cookie, ("Content-Type", "application/x-www-form-urlencoded")], body: Array("csrf=\(csrf)".utf8))
        XCTAssertEqual(out.status, 303)
        XCTAssertEqual(try http(server.port, "GET", "/", headers: [cookie]).status, 303, "the session is gone")
    }

    func testSignInRefusesBadTokensAndForgedForms() throws {
        let (_, wrong) = try signIn("srs_" + String(repeating: "0", count: 64))
        XCTAssertEqual(wrong.status, 401)
        XCTAssertTrue(wrong.text.contains("unknown or revoked token"))
        let (_, uploader) = try signIn(upload)
        XCTAssertEqual(uploader.status, 403, "an upload token cannot sign in")
        // A login form posted without the matching cookie (cross-site) is refused.
        let forged = try http(server.port, "POST", "/login", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                              body: Array("csrf=abc&token=\(read)".utf8))
        XCTAssertEqual(forged.status, 403)
        XCTAssertNil(cookieValue(forged, "srs_session"))
        // A made-up session cookie is not a session.
        XCTAssertEqual(try http(server.port, "GET", "/", headers: [("Cookie", "srs_session=deadbeef")]).status, 303)
        // Revoking the token ends its sessions.
        let (session, ok) = try signIn(read)
        XCTAssertEqual(ok.status, 303)
        XCTAssertEqual(try http(server.port, "GET", "/", headers: [("Cookie", "srs_session=\(session)")]).status, 200)
        XCTAssertEqual(try runServerCommand(["token", "revoke", "viewer", "--database", server.database]).status, 0)
        XCTAssertEqual(try http(server.port, "GET", "/", headers: [("Cookie", "srs_session=\(session)")]).status, 303)
    }

    func testFleetPagesThroughManyHosts() throws {
        let base = try Paths.golden("sample-host")
        for i in 0..<120 {
            let r = try http(server.port, "POST", "/api/v1/reports", headers: [bearer(upload), xmlType], body: Array(renamed(base, String(format: "node-%03d", i)).utf8))
            XCTAssertEqual(r.status, 201)
        }
        let first = try http(server.port, "GET", "/?q=node-", headers: [bearer(read)])
        XCTAssertTrue(first.text.contains("120 hosts · 1/3"), first.text)
        XCTAssertTrue(first.text.contains(">node-000</a>") && first.text.contains(">node-049</a>"))
        XCTAssertFalse(first.text.contains(">node-050</a>"))
        XCTAssertTrue(first.text.contains("rel=\"next\""))
        let third = try http(server.port, "GET", "/?q=node-&page=3", headers: [bearer(read)])
        XCTAssertTrue(third.text.contains(">node-119</a>") && !third.text.contains(">node-099</a>"))
        XCTAssertFalse(third.text.contains("rel=\"next\""))
    }
}
