import Foundation
import XCTest

/// Issue 16's "a real browser": Debian's headless Chromium, driven through chromedriver by
/// Tests/Browser/fleet-in-chromium.py, signs in, sees the fleet, filters by a failing check, opens a
/// host, diffs two reports, and checks the fleet's rows at 1280 and 390 px. The screenshots are
/// kept in .build/test-artifacts/browser/. Without Chromium the test is skipped, except under CI
/// (`CI` set), where it fails: CI installs chromium and chromium-driver.
final class BrowserTests: XCTestCase {
    func testFleetInHeadlessChromium() throws {
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let driver = ["/usr/bin/chromedriver"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let chromium, let driver else {
            if ProcessInfo.processInfo.environment["CI"] != nil {
                XCTFail("chromium and chromium-driver are not installed; .ci/run installs them (apt-get install chromium chromium-driver)")
                return
            }
            throw XCTSkip("headless Chromium test: install chromium and chromium-driver")
        }
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = "sqlite:" + dir + "/reports.sqlite"
        let upload = try createToken(db, name: "desk", role: "upload")
        let read = try createToken(db, name: "viewer", role: "read")
        let server = try ServerProcess(database: db)
        defer { server.stop() }
        // Two reports of sriov-lab (the first fails cpu-virtualization: no IOMMU in that VM), one
        // of pve-01, and the sample host renamed (it fails cpu-virtualization too).
        for name in ["lab-igb-noiommu", "lab-igb-maxvfs", "model", "sample-host-vfs"] {
            var xml = try Paths.golden(name)
            if name == "sample-host-vfs" { xml = renamed(xml, "other-host") }
            let r = try http(server.port, "POST", "/api/v1/reports", headers: [bearer(upload), xmlType], body: Array(xml.utf8))
            XCTAssertEqual(r.status, 201, r.text)
        }
        let artifacts = Paths.repository + "/.build/test-artifacts/browser"
        try? FileManager.default.removeItem(atPath: artifacts)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", Paths.repository + "/Tests/Browser/fleet-in-chromium.py",
                       "--url", "http://127.0.0.1:\(server.port)", "--token", read, "--out", artifacts,
                       "--hosts", "sriov-lab,pve-01,other-host", "--failing-check", "cpu-virtualization",
                       "--failing-hosts", "other-host,sriov-lab", "--open-host", "sriov-lab",
                       "--chromium", chromium, "--chromedriver", driver]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "the browser run failed: \(e)")
        let result = try XCTUnwrap(try JSONSerialization.jsonObject(with: o) as? [String: Any], String(decoding: o, as: UTF8.self))
        let steps = try XCTUnwrap(result["steps"] as? [[String: Any]])
        XCTAssertEqual(steps.count, 5, "\(steps)")
        // The screenshots exist, as PNGs of the asked widths.
        for width in [1280, 390] {
            let png = try Data(contentsOf: URL(fileURLWithPath: artifacts + "/fleet-\(width).png"))
            XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47], "fleet-\(width).png is a PNG")
            let w = png.count > 24 ? png[16..<20].reduce(0) { $0 << 8 | Int($1) } : 0
            XCTAssertEqual(w, width, "fleet-\(width).png width")
        }
    }
}
