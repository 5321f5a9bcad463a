import Foundation
import HostAccess
import XCTest

/// Runs the built `sriov-wizard` binary the way a user would.
enum CLI {
    /// Tests/CLITests/Golden: the golden transcripts and outputs.
    static var golden: String { repository + "/Tests/CLITests/Golden" }

    /// Compares `text` with the golden file `name`; with SRIOV_UPDATE_GOLDEN=1 writes it instead.
    static func assertGolden(_ text: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let path = golden + "/" + name
        if ProcessInfo.processInfo.environment["SRIOV_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(atPath: golden, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(text, expected, "\(name) differs from Tests/CLITests/Golden/\(name); if intended, regenerate with SRIOV_UPDATE_GOLDEN=1",
                       file: file, line: line)
    }

    static var repository: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    static var binary: String {
        // The test bundle sits next to the executable in .build/<config>/.
        var dir = Bundle.main.bundleURL
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("sriov-wizard").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        for config in ["debug", "release"] {
            let candidate = repository + "/.build/\(config)/sriov-wizard"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return repository + "/.build/debug/sriov-wizard"
    }

    static func resource(_ name: String) -> String { repository + "/Resources/" + name }

    /// Sanitizer settings of this test run (Scripts/sanitizers.sh), passed on to the binary
    /// under test (the runner gives commands a minimal environment otherwise).
    /// `SANITIZER_CHILD_ASAN_OPTIONS` replaces ASAN_OPTIONS for the binary: the script checks
    /// leaks there, and not in the XCTest process, whose test scaffolding lives to the end.
    static var sanitizerEnvironment: [String: String] {
        let env = ProcessInfo.processInfo.environment
        var result = env.filter { ["ASAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS", "UBSAN_OPTIONS"].contains($0.key) }
        if let child = env["SANITIZER_CHILD_ASAN_OPTIONS"] { result["ASAN_OPTIONS"] = child }
        return result
    }

    @discardableResult
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandResult {
        let runner = LiveCommandRunner(environment: sanitizerEnvironment.merging(environment, uniquingKeysWith: { _, given in given }))
        return try runner.run([binary] + arguments, timeout: 120, outputLimit: 64 << 20)
    }

    static func json(_ arguments: [String]) throws -> [String: Any] {
        let result = try run(arguments)
        XCTAssertEqual(result.status, 0, result.stderrText)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout))
        return try XCTUnwrap(object as? [String: Any])
    }

    static func temporaryDirectory() -> String {
        NSTemporaryDirectory() + "sriov-wizard-cli-\(UUID().uuidString)"
    }
}
