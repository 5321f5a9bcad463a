import Foundation
import XCTest

/// `serve --tls-cert --tls-key`: the server speaks HTTPS itself (certificates made here by
/// openssl: a CA and a server certificate for 127.0.0.1), clients verify it with the CA, plain
/// HTTP on that port gets no answer, session cookies are Secure, and wrong options are named.
final class TLSServerTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws { dir = try Paths.temporaryDirectory() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func run(_ argv: [String], stdin: String? = nil) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = argv
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    func makeCertificates() throws -> (ca: String, cert: String, key: String) {
        let ca = dir + "/ca", server = dir + "/server"
        for argv in [
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca + ".key", "-out", ca + ".pem", "-days", "2", "-subj", "/CN=sriov test CA"],
            ["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", server + ".key", "-out", server + ".csr", "-subj", "/CN=127.0.0.1"],
        ] {
            let r = try run(argv)
            XCTAssertEqual(r.status, 0, r.err)
        }
        try Data("subjectAltName=IP:127.0.0.1\n".utf8).write(to: URL(fileURLWithPath: dir + "/san.ext"))
        let r = try run(["openssl", "x509", "-req", "-in", server + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key",
                         "-CAcreateserial", "-out", server + ".pem", "-days", "2", "-extfile", dir + "/san.ext"])
        XCTAssertEqual(r.status, 0, r.err)
        return (ca + ".pem", server + ".pem", server + ".key")
    }

    func testHTTPSUploadSignInAndRefusals() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"), FileManager.default.isExecutableFile(atPath: "/usr/bin/curl") else {
            if ProcessInfo.processInfo.environment["CI"] != nil { XCTFail("openssl and curl are installed by .ci/run"); return }
            throw XCTSkip("needs openssl and curl")
        }
        let (ca, cert, key) = try makeCertificates()
        let db = "sqlite:" + dir + "/reports.sqlite"
        let upload = try createToken(db, name: "desk", role: "upload")
        let read = try createToken(db, name: "viewer", role: "read")
        let server = try ServerProcess(database: db, extra: ["--tls-cert", cert, "--tls-key", key])
        defer { server.stop() }
        let base = "https://127.0.0.1:\(server.port)"

        var r = try run(["curl", "-sS", "--cacert", ca, base + "/healthz"])
        XCTAssertEqual(r.status, 0, r.err)
        // Not trusted without the CA: curl refuses (exit 60, certificate problem).
        r = try run(["curl", "-sS", base + "/healthz"])
        XCTAssertEqual(r.status, 60, r.out + r.err)
        // Plain HTTP on the TLS port: no HTTP answer.
        XCTAssertNotEqual((try? http(server.port, "GET", "/healthz"))?.status, 200)

        let xml = try Paths.golden("sample-host-vfs")
        r = try run(["curl", "-sS", "--cacert", ca, "-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer " + upload,
                     "-H", "Content-Type: application/xml", "--data-binary", "@-", base + "/api/v1/reports"], stdin: xml)
        XCTAssertEqual(r.out, "201", r.err)
        // Signing in over HTTPS (the form's CSRF token comes with its pre-login cookie) sets a
        // Secure, HttpOnly session cookie.
        let jar = dir + "/cookies"
        r = try run(["curl", "-sS", "--cacert", ca, "-c", jar, "-D", "-", base + "/login"])
        XCTAssertTrue(r.out.lowercased().contains("set-cookie: srs_login=") && r.out.contains("Secure"), r.out)
        let csrf = try XCTUnwrap(r.out.range(of: #"(?<=name="csrf" value=")[0-9a-f]{64}"#, options: .regularExpression).map { String(r.out[$0]) }, r.out)
        r = try run(["curl", "-sS", "--cacert", ca, "-b", jar, "-o", "/dev/null", "-D", "-", "--data-urlencode", "csrf=" + csrf,
                     "--data-urlencode", "token=" + read, base + "/login"])
        let cookie = r.out.split(whereSeparator: \.isNewline).first { $0.lowercased().hasPrefix("set-cookie: srs_session=") }.map(String.init) ?? ""
        XCTAssertTrue(cookie.contains("Secure") && cookie.contains("HttpOnly"), r.out)
    }

    func testTLSOptionsAreCheckedBeforeServing() throws {
        let (_, cert, key) = try makeCertificates()
        var r = try runServerCommand(["serve", "--listen", "127.0.0.1:0", "--tls-cert", cert])
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(r.stderr.contains("--tls-cert and --tls-key go together"), r.stderr)
        try Data("not a key\n".utf8).write(to: URL(fileURLWithPath: dir + "/bad.key"))
        r = try runServerCommand(["serve", "--listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", dir + "/bad.key"])
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(r.stderr.contains("--tls-key \(dir)/bad.key: not a readable PEM private key"), r.stderr)
        r = try runServerCommand(["serve", "--listen", "127.0.0.1:0", "--tls-cert", key, "--tls-key", key])
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(r.stderr.contains("--tls-cert \(key)"), r.stderr)
    }
}
