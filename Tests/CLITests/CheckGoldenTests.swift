import Foundation
import XCTest

/// Golden text output of `check` on the bundled sample hosts at 80 columns, in English and
/// Spanish, plain and with `--details` (the evidence: what each check read).
/// Regenerate after an intended change with `SRIOV_UPDATE_GOLDEN=1 swift test --filter CheckGoldenTests`.
final class CheckGoldenTests: XCTestCase {
    static let hosts = ["sample-host", "sample-host-vfs", "sample-host-igpu"]

    func output(_ host: String, _ language: String, details: Bool) throws -> String {
        let result = try CLI.run(["check", "--root", CLI.resource(host), "--width", "80", "--lang", language] + (details ? ["--details"] : []),
                                 environment: ["NO_COLOR": "1"])
        XCTAssertTrue([0, 1].contains(result.status), "check on \(host) exited with \(result.status): \(result.stderrText)")
        XCTAssertEqual(result.stderrText, "", "check on \(host) wrote to standard error")
        return result.stdoutText.replacingOccurrences(of: CLI.repository, with: "REPOSITORY")
    }

    func check(_ text: String, _ name: String) throws { try CLI.assertGolden(text, name) }

    func testEnglish() throws {
        for host in Self.hosts {
            let plain = try output(host, "en", details: false)
            XCTAssertTrue(plain.contains("Stage 1/4: Passthrough prerequisites"), plain)
            try check(plain, "check-\(host)-en.txt")
            try check(try output(host, "en", details: true), "check-\(host)-details-en.txt")
        }
    }

    func testSpanish() throws {
        for host in Self.hosts {
            let plain = try output(host, "es", details: false)
            XCTAssertTrue(plain.contains("Etapa 1/4: Requisitos de passthrough"), plain)
            try check(plain, "check-\(host)-es.txt")
            try check(try output(host, "es", details: true), "check-\(host)-details-es.txt")
        }
    }
}
