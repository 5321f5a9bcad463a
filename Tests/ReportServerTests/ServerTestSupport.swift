import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Paths of this checkout and of the built executable.
enum Paths {
    static var repository: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    static var server: String {
        var dir = Bundle.main.bundleURL
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("sriov-report-server").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        for config in ["debug", "release"] {
            let candidate = repository + "/.build/\(config)/sriov-report-server"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return repository + "/.build/debug/sriov-report-server"
    }

    /// A real report from the golden set (made by `sriov-wizard report` from lab and corpus captures).
    static func golden(_ name: String) throws -> String {
        try String(contentsOfFile: repository + "/Tests/ReportsTests/Golden/\(name).xml", encoding: .utf8)
    }

    static func temporaryDirectory() throws -> String {
        let dir = NSTemporaryDirectory() + "sriov-report-server-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}

/// A report with another host name (still valid against the schema: only the text changes).
func renamed(_ xml: String, _ host: String) -> String {
    xml.replacingOccurrences(of: #"<hostname>[^<]*</hostname>"#, with: "<hostname>\(host)</hostname>", options: .regularExpression)
}

struct CommandOutput {
    var status: Int32
    var stdout: String
    var stderr: String
    var lastLine: String { stdout.split(separator: "\n").last.map(String.init) ?? "" }
}

/// Runs `sriov-report-server ARGS` to its end.
@discardableResult
func runServerCommand(_ args: [String]) throws -> CommandOutput {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: Paths.server)
    p.arguments = args
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return CommandOutput(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
}

/// The real server process on a loopback port chosen by the kernel.
final class ServerProcess {
    let process = Process()
    let database: String
    private(set) var port: Int = 0
    private let output = Pipe()
    /// The server's log (standard error), kept in a file so a full pipe never blocks it.
    let logPath = NSTemporaryDirectory() + "sriov-report-server-\(UUID().uuidString).log"

    init(database: String, extra: [String] = []) throws {
        self.database = database
        process.executableURL = URL(fileURLWithPath: Paths.server)
        process.arguments = ["serve", "--listen", "127.0.0.1:0", "--database", database] + extra
        process.standardOutput = output
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: logPath)
        var env = ProcessInfo.processInfo.environment
        env["SRIOV_REPORT_SERVER_LOG"] = "warning"
        process.environment = env
        try process.run()
        // Wait for "listening on ...:PORT".
        var text = ""
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty {
                if !process.isRunning { break }
                usleep(20_000)
                continue
            }
            text += String(decoding: chunk, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.contains("listening on") }),
               let range = line.range(of: #":[0-9]+ "#, options: [.regularExpression, .backwards]) {
                port = Int(line[range].dropFirst().dropLast()) ?? 0
                break
            }
        }
        guard port > 0 else {
            if process.isRunning { process.terminate() }
            let err = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            throw NSError(domain: "ServerProcess", code: 1, userInfo: [NSLocalizedDescriptionKey: "the server did not start: \(text) \(err)"])
        }
    }

    func stop(signal sig: Int32 = SIGTERM) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, sig)
        process.waitUntilExit()
    }

    /// SIGTERM, then SIGKILL when the server has not exited within `seconds`: a server that
    /// hangs on shutdown fails the test instead of hanging the run. True: it exited in time.
    @discardableResult
    func stop(within seconds: Double) -> Bool {
        guard process.isRunning else { return true }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        guard process.isRunning else { return true }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return false
    }

    deinit {
        stop(signal: SIGKILL)
        try? FileManager.default.removeItem(atPath: logPath)
    }
}

struct HTTPResult {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    func headers(_ name: String) -> [String] { headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1) }
    func json() throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any], text)
    }
}

/// A minimal HTTP/1.1 client over a plain socket: full control over what is sent and when
/// (slow bodies, lying Content-Length, 100 MB bodies).
final class RawHTTP: @unchecked Sendable {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { close(fd); throw NSError(domain: "RawHTTP", code: Int(errno)) }
        var tv = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        // A server that stops reading must not block a sender forever.
        var stv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &stv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Sends bytes; false once the peer has closed.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            off += n
        }
        return true
    }

    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Reads one response (Content-Length or until close).
    func response() throws -> HTTPResult {
        var data: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        var headerEnd: Int?
        var length: Int?
        while true {
            if let h = headerEnd, let l = length, data.count >= h + l { break }
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            data += buf[0..<n]
            if headerEnd == nil, let r = find(data, [13, 10, 13, 10]) {
                headerEnd = r + 4
                let head = String(decoding: data[0..<r], as: UTF8.self)
                for line in head.split(separator: "\r\n").dropFirst() {
                    let parts = line.split(separator: ":", maxSplits: 1)
                    if parts.count == 2, parts[0].lowercased() == "content-length" { length = Int(parts[1].trimmingCharacters(in: .whitespaces)) }
                }
            }
        }
        guard let h = headerEnd else { throw NSError(domain: "RawHTTP", code: -1, userInfo: [NSLocalizedDescriptionKey: "no response (connection closed)"]) }
        let head = String(decoding: data[0..<(h - 4)], as: UTF8.self).split(separator: "\r\n")
        let status = Int(head.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        let headers = head.dropFirst().compactMap { line -> (String, String)? in
            let p = line.split(separator: ":", maxSplits: 1)
            return p.count == 2 ? (String(p[0]), p[1].trimmingCharacters(in: .whitespaces)) : nil
        }
        let end = length.map { min(data.count, h + $0) } ?? data.count
        return HTTPResult(status: status, headers: headers, body: Array(data[h..<end]))
    }

    private func find(_ hay: [UInt8], _ needle: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count) where Array(hay[i..<(i + needle.count)]) == needle { return i }
        return nil
    }
}

/// A value shared by test threads, behind a lock.
final class Shared<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ value: T) { self.value = value }
    func get() -> T { lock.withLock { value } }
    func set(_ v: T) { lock.withLock { value = v } }
    func update(_ f: (inout T) -> Void) { lock.withLock { f(&value) } }
}

/// One request over a new connection.
func http(_ port: Int, _ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8] = []) throws -> HTTPResult {
    let c = try RawHTTP(port: port)
    var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
    for (k, v) in headers { head += "\(k): \(v)\r\n" }
    if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
    head += "\r\n"
    c.send(Array(head.utf8) + body)
    return try c.response()
}

func bearer(_ token: String) -> (String, String) { ("Authorization", "Bearer " + token) }
let xmlType = ("Content-Type", "application/xml")

/// Creates a token with the CLI and returns it (the last line of the output).
func createToken(_ database: String, name: String, role: String) throws -> String {
    let r = try runServerCommand(["token", "create", "--name", name, "--role", role, "--database", database])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(r.lastLine.hasPrefix("srs_"), r.stdout)
    return r.lastLine
}
