import Foundation
import HostAccess
import XCTest

/// A real HTTP(S) server on loopback (Tests/Support/upload-server.py: the upload contract of
/// Docs/openapi.yaml) that records what it received.
final class UploadServer {
    let process = Process()
    let port: Int
    let log: String

    static var script: String { CLI.repository + "/Tests/Support/upload-server.py" }

    init(_ arguments: [String] = [], directory: String) throws {
        log = directory + "/server-\(UUID().uuidString).jsonl"
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", UploadServer.script, "--log", log] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        var data = Data()
        while !data.contains(UInt8(ascii: "\n")) {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            data.append(chunk)
        }
        let line = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard line.hasPrefix("PORT "), let port = Int(line.dropFirst(5)) else {
            process.terminate()
            throw NSError(domain: "UploadServer", code: 1, userInfo: [NSLocalizedDescriptionKey: "server did not start: \(line)"])
        }
        self.port = port
    }

    var url: String { "http://127.0.0.1:\(port)" }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// The recorded requests, oldest first.
    func requests() -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: log, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    func uploads() -> [[String: Any]] { requests().filter { $0["method"] as? String == "POST" } }
}

final class UploadTests: XCTestCase {
    let token = "upload-token-1"
    var dir = ""
    var servers: [UploadServer] = []

    override func setUpWithError() throws {
        dir = CLI.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data((token + "\n").utf8).write(to: URL(fileURLWithPath: tokenFile))
        try Data("read-token-1\n".utf8).write(to: URL(fileURLWithPath: dir + "/read.token"))
        try Data("wrong-token\n".utf8).write(to: URL(fileURLWithPath: dir + "/wrong.token"))
    }

    override func tearDown() {
        for s in servers { s.stop() }
        try? FileManager.default.removeItem(atPath: dir)
    }

    var tokenFile: String { dir + "/upload.token" }
    var outbox: String { dir + "/outbox" }

    func server(_ arguments: [String] = []) throws -> UploadServer {
        let s = try UploadServer(arguments, directory: dir)
        servers.append(s)
        return s
    }

    /// `report` of the sample host with an upload; `extra` after the common flags.
    func upload(to url: String, _ extra: [String] = [], token: String? = nil, environment: [String: String] = [:]) throws -> CommandResult {
        try CLI.run(["report", "--root", CLI.resource("sample-host-vfs"), "--time", "none", "--lang", "en",
                     "--upload", url, "--token-file", token ?? tokenFile, "--outbox", outbox,
                     "--upload-config", dir + "/no-upload.conf"] + extra, environment: environment)
    }

    func flush(_ url: String?, _ extra: [String] = [], environment: [String: String] = [:]) throws -> CommandResult {
        try CLI.run(["report", "--flush", "--lang", "en", "--token-file", tokenFile, "--outbox", outbox,
                     "--upload-config", dir + "/no-upload.conf"] + (url.map { ["--upload", $0] } ?? []) + extra,
                    environment: environment)
    }

    func queued() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: outbox)) ?? []).filter { $0.hasSuffix(".xml") }.sorted()
    }

    /// A port on loopback where nothing listens.
    func closedPort() throws -> Int {
        let out = try Machine(root: "/").run(["python3", "-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1]); s.close()"])
        return try XCTUnwrap(Int(out.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    // MARK: - 201, 200

    func testUploadIsCreatedThenTheSameBytesGiveTheExistingID() throws {
        let s = try server()
        let first = try upload(to: s.url)
        XCTAssertEqual(first.status, 0, first.stderrText)
        XCTAssertTrue(first.stdoutText.contains("uploaded the report: id r1"), first.stdoutText)
        XCTAssertTrue(first.stdoutText.contains("\(s.url)/api/v1/reports/r1.html"), first.stdoutText)
        XCTAssertEqual(queued(), [], "a stored report leaves the outbox")

        let second = try upload(to: s.url)
        XCTAssertEqual(second.status, 0, second.stderrText)
        XCTAssertTrue(second.stdoutText.contains("already on the server as id r1"), second.stdoutText)

        let uploads = s.uploads()
        XCTAssertEqual(uploads.count, 2)
        let headers = try XCTUnwrap(uploads.first?["headers"] as? [String: String])
        XCTAssertEqual(headers["Authorization"], "Bearer \(token)")
        XCTAssertEqual(headers["Content-Type"], "application/xml")
        XCTAssertEqual(uploads.first?["path"] as? String, "/api/v1/reports")
        // What was sent is exactly the XML report.
        let xml = try CLI.run(["report", "--root", CLI.resource("sample-host-vfs"), "--time", "none", "--lang", "en", "--xml", "-"])
        let sent = try XCTUnwrap(uploads.first?["body"] as? String)
        XCTAssertEqual(sent.trimmingCharacters(in: .newlines), xml.stdoutText.trimmingCharacters(in: .newlines))
        XCTAssertTrue(sent.contains("urn:sriov-wizard:report:1"))
    }

    func testWithRedactTheRedactedReportLeavesTheHost() throws {
        let s = try server()
        let result = try upload(to: s.url, ["--redact"])
        XCTAssertEqual(result.status, 0, result.stderrText)
        let body = try XCTUnwrap(s.uploads().first?["body"] as? String)
        XCTAssertTrue(body.contains(#"redacted="true""#))
        XCTAssertFalse(body.contains("sriov-lab"), "the host name left the host")
    }

    func testTheTokenIsNeverInCurlsArgv() throws {
        let s = try server()
        // A curl in front of the real one that records its argv.
        let bin = dir + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let argvLog = dir + "/curl-argv"
        let curl = try XCTUnwrap(LiveCommandRunner.resolve("curl"))
        try Data("#!/bin/sh\nprintf '%s\\n' \"$@\" >> '\(argvLog)'\nexec '\(curl)' \"$@\"\n".utf8).write(to: URL(fileURLWithPath: bin + "/curl"))
        XCTAssertEqual(chmod(bin + "/curl", 0o755), 0)
        let path = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let result = try upload(to: s.url, environment: ["PATH": path])
        XCTAssertEqual(result.status, 0, result.stderrText)
        let argv = try String(contentsOfFile: argvLog, encoding: .utf8)
        XCTAssertTrue(argv.contains("--header\n@"), argv)
        XCTAssertTrue(argv.contains("--url\n\(s.url)/api/v1/reports"), argv)
        XCTAssertFalse(argv.contains(token), "the token is in curl's argv:\n" + argv)
        // The server still got it, and the header file is gone.
        XCTAssertEqual((s.uploads().first?["headers"] as? [String: String])?["Authorization"], "Bearer \(token)")
        let left = (try? FileManager.default.contentsOfDirectory(atPath: outbox)) ?? []
        XCTAssertEqual(left.filter { $0.hasPrefix(".auth") }, [])
    }

    func testTheTokenFromTheEnvironment() throws {
        let s = try server()
        let result = try CLI.run(["report", "--root", CLI.resource("sample-host-vfs"), "--time", "none", "--upload", s.url,
                                  "--outbox", outbox, "--upload-config", dir + "/no-upload.conf"],
                                 environment: ["SRIOV_WIZARD_TOKEN": token])
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual((s.uploads().first?["headers"] as? [String: String])?["Authorization"], "Bearer \(token)")
    }

    // MARK: - failures: 5xx, refused, timeout -> outbox; --flush

    func testA5xxKeepsTheReportQueuedAndFlushSendsIt() throws {
        let s = try server(["--fail-first", "1"])
        let failed = try upload(to: s.url)
        XCTAssertEqual(failed.status, 75, failed.stderrText)
        XCTAssertTrue(failed.stderrText.contains("HTTP 503"), failed.stderrText)
        XCTAssertTrue(failed.stderrText.contains("report --flush"), failed.stderrText)
        let items = queued()
        XCTAssertEqual(items.count, 1)
        let attributes = try FileManager.default.attributesOfItem(atPath: outbox + "/" + items[0])
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)

        let flushed = try flush(s.url)
        XCTAssertEqual(flushed.status, 0, flushed.stderrText)
        XCTAssertTrue(flushed.stdoutText.contains("1 report(s) to send"), flushed.stdoutText)
        XCTAssertTrue(flushed.stdoutText.contains("uploaded \(items[0]): id r1"), flushed.stdoutText)
        XCTAssertEqual(queued(), [])
        let bodies = s.uploads().map { $0["body"] as? String }
        XCTAssertEqual(bodies.count, 2)
        XCTAssertEqual(bodies[0], bodies[1], "the queued bytes are the ones that failed")

        let empty = try flush(s.url)
        XCTAssertEqual(empty.status, 0)
        XCTAssertTrue(empty.stdoutText.contains("nothing to send"), empty.stdoutText)
    }

    func testARefusedConnectionQueuesAndFlushSendsOldestFirst() throws {
        let dead = "http://127.0.0.1:\(try closedPort())"
        let one = try upload(to: dead, ["--time", "2026-01-01T00:00:00Z"])
        XCTAssertEqual(one.status, 75, one.stderrText)
        XCTAssertTrue(one.stderrText.contains("cannot connect"), one.stderrText)
        Thread.sleep(forTimeInterval: 0.01)
        let two = try upload(to: dead, ["--time", "2026-01-02T00:00:00Z"])
        XCTAssertEqual(two.status, 75, two.stderrText)
        XCTAssertEqual(queued().count, 2)

        // Still down: the flush stops at the first and keeps both.
        let down = try flush(dead)
        XCTAssertEqual(down.status, 75, down.stderrText)
        XCTAssertEqual(queued().count, 2)

        let s = try server()
        let flushed = try flush(s.url)
        XCTAssertEqual(flushed.status, 0, flushed.stderrText)
        XCTAssertEqual(queued(), [])
        let times = s.uploads().map { (($0["body"] as? String) ?? "").contains("2026-01-01") ? 1 : 2 }
        XCTAssertEqual(times, [1, 2], "oldest first")
    }

    func testATimeoutQueues() throws {
        let s = try server(["--delay", "5"])
        let started = Date()
        let result = try upload(to: s.url, ["--upload-timeout", "1"])
        XCTAssertEqual(result.status, 75, result.stderrText)
        XCTAssertTrue(result.stderrText.contains("did not answer in time"), result.stderrText)
        XCTAssertLessThan(Date().timeIntervalSince(started), 4.5)
        XCTAssertEqual(queued().count, 1)
    }

    // MARK: - 4xx

    func testA4xxIsNotRetriedAndMovesToRejected() throws {
        let s = try server(["--force-status", "400"])
        let result = try upload(to: s.url)
        XCTAssertEqual(result.status, 76, result.stderrText)
        XCTAssertTrue(result.stderrText.contains("HTTP 400: forced answer 400"), result.stderrText)
        XCTAssertEqual(queued(), [])
        let rejected = try FileManager.default.contentsOfDirectory(atPath: outbox + "/rejected").sorted()
        XCTAssertEqual(rejected.count, 2, "NAME.xml and NAME.reason")
        let reason = try String(contentsOfFile: outbox + "/rejected/" + rejected.first { $0.hasSuffix(".reason") }!, encoding: .utf8)
        XCTAssertTrue(reason.contains("HTTP 400"), reason)
        let again = try flush(s.url)
        XCTAssertEqual(again.status, 0)
        XCTAssertTrue(again.stdoutText.contains("nothing to send"), again.stdoutText)
        XCTAssertEqual(s.uploads().count, 1, "a rejected report is not sent again")
    }

    func testAWrongTokenOrRoleKeepsTheReportQueued() throws {
        let s = try server()
        let wrong = try upload(to: s.url, token: dir + "/wrong.token")
        XCTAssertEqual(wrong.status, 75, wrong.stderrText)
        XCTAssertTrue(wrong.stderrText.contains("refused the token (HTTP 401"), wrong.stderrText)
        let read = try upload(to: s.url, token: dir + "/read.token")
        XCTAssertEqual(read.status, 75, read.stderrText)
        XCTAssertTrue(read.stderrText.contains("HTTP 403"), read.stderrText)
        XCTAssertEqual(queued().count, 2, "both stay queued for when the token is fixed")
        let flushed = try flush(s.url)
        XCTAssertEqual(flushed.status, 0, flushed.stderrText)
        XCTAssertTrue(flushed.stdoutText.contains("already on the server"), flushed.stdoutText)
        XCTAssertEqual(queued(), [])
    }

    func testSpanishMessages() throws {
        let s = try server(["--fail-first", "1"])
        let result = try CLI.run(["report", "--root", CLI.resource("sample-host-vfs"), "--time", "none", "--lang", "es",
                                  "--upload", s.url, "--token-file", tokenFile, "--outbox", outbox,
                                  "--upload-config", dir + "/no-upload.conf"])
        XCTAssertEqual(result.status, 75)
        XCTAssertTrue(result.stderrText.contains("la subida a"), result.stderrText)
        XCTAssertTrue(result.stderrText.contains("sigue en cola"), result.stderrText)
    }

    // MARK: - usage

    func testUsageErrors() throws {
        let noToken = try CLI.run(["report", "--root", CLI.resource("sample-host-vfs"), "--upload", "http://127.0.0.1:1",
                                   "--outbox", outbox, "--upload-config", dir + "/no-upload.conf"])
        XCTAssertEqual(noToken.status, 64)
        XCTAssertTrue(noToken.stderrText.contains("no upload token"), noToken.stderrText)
        let clear = try upload(to: "http://reports.example.com")
        XCTAssertEqual(clear.status, 64)
        XCTAssertTrue(clear.stderrText.contains("clear text"), clear.stderrText)
        let userinfo = try upload(to: "https://user:secret@reports.example.com")
        XCTAssertEqual(userinfo.status, 64)
        let flushNoURL = try flush(nil)
        XCTAssertEqual(flushNoURL.status, 64)
        XCTAssertTrue(flushNoURL.stderrText.contains("url="), flushNoURL.stderrText)
        let flushWithXML = try flush("http://127.0.0.1:1", ["--xml", "-"])
        XCTAssertEqual(flushWithXML.status, 64)
    }

    // MARK: - upload.conf

    func testUploadConfigGivesServerTokenAndRedact() throws {
        let s = try server()
        let config = dir + "/upload.conf"
        try Data("# desk\nurl=\(s.url)\ntoken-file=\(tokenFile)\nredact=true\n".utf8).write(to: URL(fileURLWithPath: config))
        // The config's server with no token on the command line: its token-file and redact= apply.
        let result = try CLI.run(["report", "--root", CLI.resource("sample-host-vfs"), "--time", "none", "--upload", s.url,
                                  "--outbox", outbox, "--upload-config", config])
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertTrue((s.uploads().first?["body"] as? String)?.contains(#"redacted="true""#) ?? false)

        // Another server: the config's token is not sent there.
        let other = try server()
        let elsewhere = try CLI.run(["report", "--root", CLI.resource("sample-host-vfs"), "--upload", other.url,
                                     "--outbox", outbox, "--upload-config", config])
        XCTAssertEqual(elsewhere.status, 64, elsewhere.stderrText)
        XCTAssertEqual(other.uploads().count, 0)

        // --flush takes the server from the config.
        let dead = "http://127.0.0.1:\(try closedPort())"
        XCTAssertEqual(try upload(to: dead).status, 75)
        let flushed = try CLI.run(["report", "--flush", "--outbox", outbox, "--upload-config", config])
        XCTAssertEqual(flushed.status, 0, flushed.stderrText)
        XCTAssertEqual(s.uploads().count, 2)
    }

    func testABrokenUploadConfigNamesFileAndLine() throws {
        let config = dir + "/upload.conf"
        try Data("url=https://reports.example.com\ncolour=blue\n".utf8).write(to: URL(fileURLWithPath: config))
        let result = try CLI.run(["report", "--flush", "--outbox", outbox, "--upload-config", config])
        XCTAssertEqual(result.status, 64)
        XCTAssertTrue(result.stderrText.contains("\(config):2: unknown key \"colour\""), result.stderrText)
    }

    // MARK: - the wizard's offer

    func testTheWizardOffersToUploadWhenAURLIsConfigured() throws {
        let s = try server()
        let config = dir + "/upload.conf"
        try Data("url=\(s.url)\ntoken-file=\(tokenFile)\nredact=true\n".utf8).write(to: URL(fileURLWithPath: config))
        // Skip stage 1 (no vmx on the lab host), continue through 2-4, then answer yes.
        let screen = try CLI.runInTerminal(["--root", CLI.resource("sample-host-vfs"), "--upload-config", config, "--outbox", outbox],
                                           input: "s\n\n\n\ny\n", environment: ["NO_COLOR": "1"])
        XCTAssertTrue(screen.contains("Upload the report of this host (redacted) to \(s.url)"), screen)
        XCTAssertTrue(screen.contains("uploaded the report: id r1"), screen)
        let body = try XCTUnwrap(s.uploads().first?["body"] as? String)
        XCTAssertTrue(body.contains(#"redacted="true""#))

        let declined = try CLI.runInTerminal(["--root", CLI.resource("sample-host-vfs"), "--upload-config", config, "--outbox", outbox],
                                             input: "s\n\n\n\nn\n", environment: ["NO_COLOR": "1"])
        XCTAssertTrue(declined.contains("Not uploaded"), declined)
        XCTAssertEqual(s.uploads().count, 1)
        // No url= configured: no question.
        let none = try CLI.runInTerminal(["--root", CLI.resource("sample-host-vfs"), "--upload-config", dir + "/missing.conf"],
                                         input: "s\n\n\n\n", environment: ["NO_COLOR": "1"])
        XCTAssertFalse(none.contains("Upload the report"), none)
    }

    // MARK: - proxy

    func testHTTPProxyIsHonouredAndNoProxyBypassesIt() throws {
        let proxy = try server()
        let dead = "http://127.0.0.1:\(try closedPort())"
        // The upload goes to the proxy (which answers as the server would), not to the dead address.
        let viaProxy = try upload(to: dead, environment: ["http_proxy": proxy.url])
        XCTAssertEqual(viaProxy.status, 0, viaProxy.stderrText)
        XCTAssertEqual(proxy.uploads().first?["path"] as? String, dead + "/api/v1/reports")
        let bypass = try upload(to: dead, environment: ["http_proxy": proxy.url, "no_proxy": "127.0.0.1"])
        XCTAssertEqual(bypass.status, 75, bypass.stderrText)
        XCTAssertEqual(proxy.uploads().count, 1)
    }

    // MARK: - TLS

    func testTLSIsVerifiedWithCAFileAndFailsWithoutIt() throws {
        let openssl = Machine(root: "/")
        func run(_ argv: [String]) throws {
            let r = try openssl.run(argv, timeout: 60)
            XCTAssertEqual(r.status, 0, r.stderrText)
        }
        let ca = dir + "/ca", server = dir + "/server"
        try run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca + ".key", "-out", ca + ".pem",
                 "-days", "2", "-subj", "/CN=sriov-wizard test CA"])
        try Data("subjectAltName=IP:127.0.0.1\n".utf8).write(to: URL(fileURLWithPath: dir + "/san.ext"))
        try run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", server + ".key", "-out", server + ".csr",
                 "-subj", "/CN=127.0.0.1"])
        try run(["openssl", "x509", "-req", "-in", server + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key",
                 "-CAcreateserial", "-out", server + ".pem", "-days", "2", "-extfile", dir + "/san.ext"])
        let s = try self.server(["--tls-cert", server + ".pem", "--tls-key", server + ".key"])
        let url = "https://127.0.0.1:\(s.port)"

        let untrusted = try upload(to: url)
        XCTAssertEqual(untrusted.status, 75, untrusted.stderrText)
        XCTAssertTrue(untrusted.stderrText.contains("TLS failed"), untrusted.stderrText)
        XCTAssertEqual(s.uploads().count, 0, "nothing was sent to an unverified server")
        XCTAssertEqual(queued().count, 1)

        let trusted = try upload(to: url, ["--ca-file", ca + ".pem"])
        XCTAssertEqual(trusted.status, 0, trusted.stderrText)
        XCTAssertTrue(trusted.stdoutText.contains("\(url)/api/v1/reports/r1.html"), trusted.stdoutText)
        XCTAssertEqual(s.uploads().count, 1)
        XCTAssertEqual(queued().count, 1, "the earlier failed upload is still queued")
        let flushed = try flush(url, ["--ca-file", ca + ".pem"])
        XCTAssertEqual(flushed.status, 0, flushed.stderrText)
        XCTAssertTrue(flushed.stdoutText.contains("already on the server"), flushed.stdoutText)
        XCTAssertEqual(queued(), [])
    }
}
