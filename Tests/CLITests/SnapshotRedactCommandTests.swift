import Foundation
import HostAccess
import XCTest

/// `snapshot --redact` as a user runs it: no host name or MAC of the sample survives, and
/// `check --root` on the redacted copy gives the same checks and levels as on the original.
final class SnapshotRedactCommandTests: XCTestCase {
    func levels(_ json: [String: Any]) -> [String] {
        let stages = json["stages"] as? [[String: Any]] ?? []
        return stages.flatMap { ($0["checks"] as? [[String: Any]] ?? []).map { "\($0["id"] ?? "") \($0["device"] ?? "-") \($0["level"] ?? "")" } }
    }

    func testRedactedSnapshotHasNoNameOrMACAndTheSameVerdicts() throws {
        let out = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let source = CLI.resource("sample-host-vfs")
        let result = try CLI.run(["snapshot", "--root", source, "--output", out, "--redact", "--lang", "es"])
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertTrue(result.stdoutText.contains("redactada:"), result.stdoutText)
        let macs = try Machine(root: source).run(["ip", "-d", "link", "show"]).stdoutText
            .matches(of: #/(?:[0-9a-f]{2}:){5}[0-9a-f]{2}/#).map { String($0.output) }.filter { $0 != "00:00:00:00:00:00" && $0 != "ff:ff:ff:ff:ff:ff" }
        XCTAssertGreaterThanOrEqual(Set(macs).count, 8)
        let all = try Machine(root: "/").run(["grep", "-rl", "-i", "-e", "sriov-lab", "-e", macs[0], out]).stdoutText
        XCTAssertEqual(all, "", "files with the host name or the PF's MAC")
        for mac in Set(macs) {
            let hit = try Machine(root: "/").run(["grep", "-rl", "-i", "-F", mac, out])
            XCTAssertEqual(hit.stdoutText, "", mac)
        }
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/sriov-wizard/manifest.json"))) as? [String: Any]
        XCTAssertEqual(manifest?["redacted"] as? Bool, true)
        let plain = try CLI.run(["check", "--root", source, "--format", "json"])
        let redacted = try CLI.run(["check", "--root", out, "--format", "json"])
        XCTAssertEqual(plain.status, redacted.status, "the same exit status (the worst level)")
        let before = levels(try XCTUnwrap(JSONSerialization.jsonObject(with: Data(plain.stdout)) as? [String: Any]))
        let after = levels(try XCTUnwrap(JSONSerialization.jsonObject(with: Data(redacted.stdout)) as? [String: Any]))
        XCTAssertGreaterThan(before.count, 10)
        XCTAssertEqual(before, after)
    }
}
