import XCTest
@testable import sriov_wizard

/// The rough edges a first-time user meets before any check runs (issue: the wizard goes all
/// the way): a mistyped command, yes/no in Spanish, the wrap width, one line per check.
final class CommandLineRoughEdgesTests: XCTestCase {
    func testMistypedCommandIsNamedWithASuggestionAndExit64() throws {
        let result = try CLI.run(["chek"], environment: ["LC_ALL": "C"])
        XCTAssertEqual(result.status, 64)
        XCTAssertTrue(result.stderrText.contains("unknown command 'chek'; did you mean 'check'?"), result.stderrText)
        XCTAssertFalse(result.stderrText.contains("terminal"), result.stderrText)
        let spanish = try CLI.run(["rolback"], environment: ["LC_ALL": "es_ES.UTF-8"])
        XCTAssertEqual(spanish.status, 64)
        XCTAssertTrue(spanish.stderrText.contains("orden desconocida «rolback»; ¿quiso decir «rollback»?"), spanish.stderrText)
    }

    func testControlCharactersInAMistypedCommandAreEscaped() throws {
        let result = try CLI.run(["\u{1B}]0;pwned\u{07}"], environment: ["LANG": "C"])
        XCTAssertEqual(result.status, 64)
        XCTAssertFalse(result.stderrText.contains("\u{1B}"), result.stderrText)
        XCTAssertTrue(result.stderrText.contains("\\u{1B}"), result.stderrText)
    }

    func testABareRunWithoutATerminalStillPointsToCheck() throws {
        let result = try CLI.run([], environment: ["LANG": "C"])
        XCTAssertEqual(result.status, 64)
        XCTAssertTrue(result.stderrText.contains("sriov-wizard check"), result.stderrText)
        XCTAssertFalse(result.stderrText.contains("unknown command"), result.stderrText)
    }

    func testSuggestionsAndDistances() {
        let commands = ["wizard", "check", "devices", "snapshot", "report", "collect", "schema", "apply", "rollback", "history", "help"]
        XCTAssertEqual(CommandSuggestion.closest("chek", in: commands), "check")
        XCTAssertEqual(CommandSuggestion.closest("devcies", in: commands), "devices")
        XCTAssertEqual(CommandSuggestion.closest("snap", in: commands), "snapshot")
        XCTAssertNil(CommandSuggestion.closest("frobnicate", in: commands))
        XCTAssertEqual(CommandSuggestion.distance("chekc", "check"), 1)
        XCTAssertNil(CommandSuggestion.unknownCommand("check", commands: commands, language: .en))
        XCTAssertNil(CommandSuggestion.unknownCommand("--root", commands: commands, language: .en))
    }

    func testYesAndNoInBothLanguages() {
        for yes in ["y", "Y", "yes", "s", "S", "sí", "Sí", "si", " s "] { XCTAssertEqual(YesNo.parse(yes), true, yes) }
        for no in ["n", "N", "no", "No"] { XCTAssertEqual(YesNo.parse(no), false, no) }
        for other in ["", "x", "yess", "ok"] { XCTAssertNil(YesNo.parse(other), other) }
    }

    func testBriefPrintsOneLinePerCheckAndFailOnWarnFailsOnWarnings() throws {
        let sample = CLI.resource("sample-host-vfs")
        let json = try CLI.run(["check", "--root", sample, "--format", "json"])
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout)) as? [String: Any])
        let stages = try XCTUnwrap(document["stages"] as? [[String: Any]])
        let checks = stages.flatMap { ($0["checks"] as? [[String: Any]]) ?? [] }
        let brief = try CLI.run(["check", "--root", sample, "--brief"], environment: ["NO_COLOR": "1"])
        let lines = brief.stdoutText.split(separator: "\n")
        XCTAssertEqual(lines.count, checks.count, brief.stdoutText)
        for (line, check) in zip(lines, checks) {
            XCTAssertTrue(line.hasPrefix((check["level"] as! String).uppercased()), String(line))
            XCTAssertTrue(line.contains("  \(check["id"] as! String)  "), String(line))
            XCTAssertFalse(line.contains("fix:"), String(line))
        }
        let levels = Set(checks.compactMap { $0["level"] as? String })
        // The sample host (software emulation, no vmx) fails cpu-virtualization: exit 1 either way.
        XCTAssertTrue(levels.contains("fail"))
        XCTAssertEqual(brief.status, 1)
        // A stage without failures but with warnings: exit 0 by default, 1 with --fail-on warn.
        let activation = try XCTUnwrap(stages.first { $0["id"] as? String == "activation" })
        let activationLevels = Set(((activation["checks"] as? [[String: Any]]) ?? []).compactMap { $0["level"] as? String })
        if activationLevels.contains("warn") && !activationLevels.contains("fail") {
            XCTAssertEqual(try CLI.run(["check", "--root", sample, "--stage", "activation"]).status, 0)
            XCTAssertEqual(try CLI.run(["check", "--root", sample, "--stage", "activation", "--fail-on", "warn"]).status, 1)
        }
        let conflict = try CLI.run(["check", "--root", sample, "--brief", "--details"])
        XCTAssertEqual(conflict.status, 64)
    }

    func testFailOnLevels() {
        XCTAssertTrue(FailLevel.warn.isMet(by: .fail))
        XCTAssertTrue(FailLevel.warn.isMet(by: .warn))
        XCTAssertFalse(FailLevel.warn.isMet(by: .note))
        XCTAssertFalse(FailLevel.fail.isMet(by: .warn))
        XCTAssertFalse(FailLevel.note.isMet(by: .skip))
        XCTAssertTrue(FailLevel.note.isMet(by: .note))
    }

    func testWalkthroughWrapsAt80ColumnsUnlessWidthIsGiven() throws {
        func longest(_ text: String) -> Int {
            // Lines that are one unbreakable word (a command or path) may be longer.
            text.split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces).contains(" ") && !$0.contains("`") }
                .map(\.count).max() ?? 0
        }
        let standard = try CLI.run(["wizard", "--walkthrough"], environment: ["COLUMNS": "200"])
        XCTAssertEqual(standard.status, 0, standard.stderrText)
        XCTAssertLessThanOrEqual(longest(standard.stdoutText), 80)
        XCTAssertGreaterThan(longest(standard.stdoutText), 60)
        let wide = try CLI.run(["wizard", "--walkthrough", "--width", "140"])
        XCTAssertGreaterThan(longest(wide.stdoutText), 80)
        XCTAssertLessThanOrEqual(longest(wide.stdoutText), 140)
        XCTAssertEqual(try CLI.run(["wizard", "--walkthrough", "--width", "5"]).status, 64)
    }

    func testCheckWrapsAtColumnsWhenNotATerminalAndAt80Otherwise() throws {
        let sample = CLI.resource("sample-host-vfs")
        func widest(_ text: String) -> Int {
            text.split(separator: "\n").filter { !$0.contains("`") && !$0.contains("/") }.map(\.count).max() ?? 0
        }
        let plain = try CLI.run(["check", "--root", sample], environment: ["NO_COLOR": "1"])
        XCTAssertLessThanOrEqual(widest(plain.stdoutText), 80)
        let columns = try CLI.run(["check", "--root", sample], environment: ["NO_COLOR": "1", "COLUMNS": "120"])
        XCTAssertGreaterThan(widest(columns.stdoutText), 80)
    }
}
