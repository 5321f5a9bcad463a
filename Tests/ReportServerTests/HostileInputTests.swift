import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// What an attacker or a broken client sends: the server refuses it with the right status and a
/// JSON error that says what is wrong, and stays up.
final class HostileInputTests: XCTestCase {
    var dir = ""
    var server: ServerProcess!
    var upload = ""

    override func setUpWithError() throws {
        dir = try Paths.temporaryDirectory()
        let db = "sqlite:" + dir + "/reports.sqlite"
        upload = try createToken(db, name: "desk", role: "upload")
        server = try ServerProcess(database: db, extra: ["--body-timeout", "3"])
    }

    override func tearDown() {
        server?.stop()
        try? FileManager.default.removeItem(atPath: dir)
    }

    func post(_ body: String, type: String = "application/xml") throws -> HTTPResult {
        try http(server.port, "POST", "/api/v1/reports", headers: [bearer(upload), ("Content-Type", type)], body: Array(body.utf8))
    }

    func assertStillServing() throws {
        XCTAssertEqual(try http(server.port, "GET", "/healthz").status, 200)
    }

    func testXXEIsRefused() throws {
        let report = try Paths.golden("sample-host")
        let xxe = report.replacingOccurrences(of: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                                              with: "<?xml version=\"1.0\"?>\n<!DOCTYPE report [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>")
            .replacingOccurrences(of: "<hostname>sriov-lab</hostname>", with: "<hostname>&x;</hostname>")
        XCTAssertNotEqual(xxe, report)
        let r = try post(xxe)
        XCTAssertEqual(r.status, 400, r.text)
        let j = try r.json()
        XCTAssertEqual(j["error"] as? String, "invalid-report")
        XCTAssertTrue((j["message"] as? String ?? "").contains("DOCTYPE"), r.text)
        XCTAssertFalse(r.text.contains("root:"), "no file content comes back")
        try assertStillServing()
    }

    func testBillionLaughsIsRefused() throws {
        var dtd = "<!DOCTYPE report [<!ENTITY l0 \"ha\">"
        for i in 1...10 { dtd += "<!ENTITY l\(i) \"" + String(repeating: "&l\(i - 1);", count: 10) + "\">" }
        dtd += "]>"
        let bomb = "<?xml version=\"1.0\"?>\(dtd)<report xmlns=\"urn:sriov-wizard:report:1\">&l10;</report>"
        let start = Date()
        let r = try post(bomb)
        XCTAssertEqual(r.status, 400, r.text)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5, "refused without expanding")
        try assertStillServing()
    }

    func test100MBBodyIsRefusedWhileReading() throws {
        // Declared size over the limit: 413 before anything is read.
        let c = try RawHTTP(port: server.port)
        c.send("POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(upload)\r\nContent-Type: application/xml\r\nContent-Length: \(100 << 20)\r\n\r\n")
        c.send([UInt8](repeating: UInt8(ascii: " "), count: 1 << 20))
        let r = try c.response()
        XCTAssertEqual(r.status, 413, r.text)
        XCTAssertEqual(try r.json()["error"] as? String, "too-large")

        // No Content-Length (chunked), 100 MB streamed: cut off once past 16 MiB.
        let d = try RawHTTP(port: server.port)
        d.send("POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(upload)\r\nContent-Type: application/xml\r\nTransfer-Encoding: chunked\r\n\r\n")
        let chunk = Array("100000\r\n".utf8) + [UInt8](repeating: UInt8(ascii: " "), count: 1 << 20) + Array("\r\n".utf8)
        var sent = 0
        for _ in 0..<100 {
            guard d.send(chunk) else { break }
            sent += 1
        }
        let big = try d.response()
        XCTAssertEqual(big.status, 413, big.text)
        XCTAssertGreaterThan(sent, 16, "refused after the limit, not before")
        try assertStillServing()
    }

    func testSlowBodyIsCutOff() throws {
        let body = Array(try Paths.golden("sample-host").utf8)
        let c = try RawHTTP(port: server.port)
        c.send("POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(upload)\r\nContent-Type: application/xml\r\nContent-Length: \(body.count)\r\n\r\n")
        let start = Date()
        let answer = Shared<HTTPResult?>(nil)
        // One byte a second; --body-timeout 3 must end this within a few seconds, not after hours.
        let reader = DispatchQueue(label: "reader")
        let done = DispatchSemaphore(value: 0)
        reader.async {
            answer.set(try? c.response())
            done.signal()
        }
        var finished = false
        for byte in body.prefix(20) {
            if done.wait(timeout: .now() + 1) == .success { finished = true; break }
            if !c.send([byte]) { break }
        }
        if !finished { _ = done.wait(timeout: .now() + 10) }
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertLessThan(elapsed, 12, "cut off")
        XCTAssertGreaterThanOrEqual(elapsed, 2.5, "not before the timeout")
        if let answered = answer.get() { XCTAssertEqual(answered.status, 408, answered.text) }
        try assertStillServing()
    }

    func testNotXMLIs415AndInvalidIs400() throws {
        let json = try post("{\"report\": 1}", type: "application/json")
        XCTAssertEqual(json.status, 415)
        XCTAssertTrue((try json.json()["message"] as? String ?? "").contains("application/xml"))
        let text = try post("hello, this is not xml")
        XCTAssertEqual(text.status, 415)
        XCTAssertEqual(try text.json()["error"] as? String, "not-xml")
        let binary = try http(server.port, "POST", "/api/v1/reports", headers: [bearer(upload), xmlType], body: [0xff, 0xfe, 0x00, 0x3c])
        XCTAssertEqual(binary.status, 415)
        let other = try post("<html><body>hi</body></html>")
        XCTAssertEqual(other.status, 400)
        XCTAssertTrue((try other.json()["message"] as? String ?? "").contains("not an sriov-wizard report"), other.text)
        let broken = try post(String(try Paths.golden("sample-host").prefix(500)))
        XCTAssertEqual(broken.status, 400)
        // Schema violation: a level that does not exist.
        let bad = try post(try Paths.golden("sample-host").replacingOccurrences(of: "level=\"pass\"", with: "level=\"great\""))
        XCTAssertEqual(bad.status, 400)
        XCTAssertTrue((try bad.json()["message"] as? String ?? "").contains("great"), bad.text)
        try assertStillServing()
    }

    func testHostileValuesAreEscapedInPages() throws {
        let db = server.database
        let read = try createToken(db, name: "viewer", role: "read")
        let evil = "<script>alert(1)</script>&\"'"
        let escapedName = evil.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        let report = renamed(try Paths.golden("sample-host"), escapedName)
        let r = try post(report)
        XCTAssertEqual(r.status, 201, r.text)
        XCTAssertEqual(try r.json()["host"] as? String, evil)
        let page = try http(server.port, "GET", "/?q=alert", headers: [bearer(read)])
        XCTAssertEqual(page.status, 200)
        XCTAssertFalse(page.text.contains("<script>"), "no raw markup from a report")
        XCTAssertTrue(page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), page.text)
        XCTAssertEqual(page.header("Content-Security-Policy"), "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        // SQL metacharacters in filters are values, not SQL.
        let inj = try http(server.port, "GET", "/api/v1/hosts?q=%27%20OR%201%3D1%20--&check=%25", headers: [bearer(read)])
        XCTAssertEqual(inj.status, 200)
        XCTAssertEqual((try inj.json()["hosts"] as? [Any])?.count, 0)
    }
}
