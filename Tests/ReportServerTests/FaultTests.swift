import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `kill -9` of the server in the middle of an upload loop: after a restart every upload that
/// got 201 is there, byte for byte.
final class FaultTests: XCTestCase {
    func killDuringUploads(database: String, upload: String, read: String) throws {
        var server = try ServerProcess(database: database)
        let base = try Paths.golden("sample-host")
        let acknowledged = Shared<[(id: String, body: [UInt8])]>([])
        let stop = Shared(false)
        let group = DispatchGroup()
        // Four clients upload distinct reports as fast as they can.
        for client in 0..<4 {
            group.enter()
            let port = server.port
            DispatchQueue.global().async {
                defer { group.leave() }
                var i = 0
                while !stop.get() && i < 2000 {
                    let body = Array(renamed(base, "crash-\(client)-\(i)").utf8)
                    i += 1
                    guard let r = try? http(port, "POST", "/api/v1/reports", headers: [bearer(upload), xmlType], body: body) else { continue }
                    if r.status == 201, let id = try? r.json()["id"] as? String {
                        acknowledged.update { $0.append((id, body)) }
                    }
                }
            }
        }
        // Kill once a good number of uploads were acknowledged.
        let deadline = Date().addingTimeInterval(60)
        while acknowledged.get().count < 40 && Date() < deadline { usleep(10_000) }
        server.stop(signal: SIGKILL)
        stop.set(true)
        group.wait()
        let done = acknowledged.get()
        XCTAssertGreaterThanOrEqual(done.count, 40)

        server = try ServerProcess(database: database)
        var missing = 0
        for (id, body) in done {
            let r = try http(server.port, "GET", "/api/v1/reports/\(id)", headers: [bearer(read)])
            if r.status != 200 || r.body != body { missing += 1 }
        }
        XCTAssertEqual(missing, 0, "every acknowledged upload survives kill -9 (\(done.count) checked)")
        let health = try http(server.port, "GET", "/healthz")
        XCTAssertEqual(health.status, 200)
        server.stop()
    }

    func testKill9DuringUploadsOnSQLite() throws {
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = "sqlite:" + dir + "/reports.sqlite"
        try killDuringUploads(database: db, upload: try createToken(db, name: "desk", role: "upload"),
                              read: try createToken(db, name: "viewer", role: "read"))
    }

    func testKill9DuringUploadsOnPostgreSQL() throws {
        let url = try postgresTestURL()
        try killDuringUploads(database: url, upload: try createToken(url, name: "desk", role: "upload"),
                              read: try createToken(url, name: "viewer", role: "read"))
    }
}
