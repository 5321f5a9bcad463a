import Foundation
import HostAccess
import XCTest

/// Issue 13's fleet view on a phone: `collect --html` of four reports (two of the same host,
/// one with a long file name) opened in Debian's headless Chromium at 1280 and 390 px by
/// Tests/Browser/fleet-in-chromium.py --collect-html: every row's host, file and time on screen,
/// the wide columns hidden only when narrow, no sideways scrolling. Screenshots go to
/// .build/test-artifacts/browser/collect-*.png. Skipped without Chromium, failing under CI.
final class CollectInChromiumTests: XCTestCase {
    func testCollectHTMLAt1280And390Pixels() throws {
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let driver = ["/usr/bin/chromedriver"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let chromium, let driver else {
            if ProcessInfo.processInfo.environment["CI"] != nil {
                XCTFail("chromium and chromium-driver are not installed; .ci/run installs them")
                return
            }
            throw XCTSkip("headless Chromium test: install chromium and chromium-driver")
        }
        let dir = CLI.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var files: [String] = []
        for (host, time) in [("sample-host", "2026-12-01T09:00:00Z"), ("sample-host", "2026-12-02T09:00:00Z"),
                             ("sample-host-vfs", "2026-12-02T10:00:00Z"), ("sample-host-igpu", "2026-12-02T11:00:00Z")] {
            let file = dir + "/pve-\(files.count + 1)-\(host)-report-sent-by-the-customer-on-\(time.prefix(10)).xml"
            let r = try CLI.run(["report", "--root", CLI.resource(host), "--xml", file, "--time", time, "--lang", "en"])
            XCTAssertEqual(r.status, 0, r.stderrText)
            files.append(file)
        }
        let html = dir + "/fleet.html"
        let r = try CLI.run(["collect"] + files + ["--html", html])
        XCTAssertEqual(r.status, 0, r.stderrText)
        let artifacts = CLI.repository + "/.build/test-artifacts/browser"
        let run = try LiveCommandRunner().run(["python3", CLI.repository + "/Tests/Browser/fleet-in-chromium.py",
                                               "--collect-html", html, "--rows", "4", "--out", artifacts,
                                               "--chromium", chromium, "--chromedriver", driver],
                                              timeout: 180, outputLimit: 1 << 20)
        XCTAssertEqual(run.status, 0, "the browser run failed: \(run.stderrText)")
        let result = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout)) as? [String: Any], run.stdoutText)
        let steps = try XCTUnwrap(result["steps"] as? [[String: Any]])
        XCTAssertEqual(steps.compactMap { $0["width"] as? Int }, [1280, 390])
        for step in steps {
            let shown = try XCTUnwrap(step["files"] as? [String])
            // Most severe first; each file once, with its time.
            XCTAssertEqual(Set(shown.map { $0.components(separatedBy: " · ").first ?? "" }), Set(files))
            XCTAssertTrue(shown.allSatisfy { $0.contains(" · 2026-12-") }, "\(shown)")
        }
        for width in [1280, 390] {
            let png = try Data(contentsOf: URL(fileURLWithPath: artifacts + "/collect-\(width).png"))
            XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        }
    }
}
