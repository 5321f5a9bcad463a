import Foundation
import HostAccess
import XCTest
@testable import SRIOVCore

/// Slow steps tell the person waiting what runs: start, every line the command prints, end.
final class PlanProgressTests: XCTestCase {
    final class Recorder: PlanProgress, @unchecked Sendable {
        private let lock = NSLock()
        private var _events: [String] = []
        var events: [String] { lock.lock(); defer { lock.unlock() }; return _events }
        private func add(_ e: String) { lock.lock(); _events.append(e); lock.unlock() }
        func stepStarted(_ description: String) { add("start " + description) }
        func output(_ line: String) { add("line " + line) }
        func stepFinished(_ description: String, succeeded: Bool) { add((succeeded ? "ok " : "failed ") + description) }
    }

    func testCommandsAndSysfsWritesReportStartLinesAndEnd() throws {
        let root = NSTemporaryDirectory() + "progress-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let attribute = "/sys/bus/pci/devices/0000:01:00.0/sriov_numvfs"
        try FileManager.default.createDirectory(atPath: root + "/sys/bus/pci/devices/0000:01:00.0", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: root + attribute, contents: Data("0\n".utf8))
        let plan = Plan(title: LocalizedText(en: "test", es: "test"), steps: [
            .sysfs(AttributeWrite(path: attribute, value: "3", reason: LocalizedText(en: "now", es: "now"))),
            .command(PlannedCommand(["sh", "-c", "echo 'update-initramfs: Generating /boot/initrd.img'; printf '10%%\\r50%%\\r'; echo W: warning >&2"], reason: LocalizedText(en: "c", es: "c"))),
            .command(PlannedCommand(["sh", "-c", "exit 3"], reason: LocalizedText(en: "d", es: "d"))),
        ])
        let recorder = Recorder()
        var executor = PlanExecutor(machine: Machine(root: root, commands: LiveCommandRunner()), performsHostActions: true)
        executor.progress = recorder
        let outcome = try executor.apply(plan, command: ["test"])
        XCTAssertFalse(outcome.succeeded)
        let events = recorder.events
        XCTAssertEqual(events.first, "start " + plan.steps[0].summary.en, "\(events)")
        XCTAssertEqual(events[1], "ok " + plan.steps[0].summary.en)
        XCTAssertEqual(events[2], "start " + ShellWords.display(["sh", "-c", "echo 'update-initramfs: Generating /boot/initrd.img'; printf '10%%\\r50%%\\r'; echo W: warning >&2"]), "\(events)")
        // The lines, \r-separated progress included (stdout and stderr may interleave).
        XCTAssertTrue(events.contains("line update-initramfs: Generating /boot/initrd.img"), "\(events)")
        XCTAssertTrue(events.contains("line 10%") && events.contains("line 50%"), "\(events)")
        XCTAssertTrue(events.contains("line W: warning"), "\(events)")
        XCTAssertEqual(events.last, "failed sh -c 'exit 3'", "\(events)")
        XCTAssertEqual(events.filter { $0.hasPrefix("start ") }.count, 3)
    }

    func testTheTerminalLineIsCutToTheWidthAndSpanishWords() {
        let line = ProgressText.running("update-initramfs -u -k all", seconds: 12,
                                        latest: "update-initramfs: Generating /boot/initrd.img-6.8.12-4-pve with a very long tail", width: 60)
        XCTAssertTrue(line.hasPrefix("  … update-initramfs -u -k all · 12 s · update-initramfs"), line)
        XCTAssertEqual(line.count, 59, line)
        XCTAssertTrue(line.hasSuffix("…"))
        XCTAssertEqual(ProgressText.running("x", seconds: 1, latest: "\u{1B}]0;title\u{07}ok", width: 80).contains("\u{1B}"), false,
                       "a command's output is shown without its control characters")
        XCTAssertEqual(ProgressText.finished("update-grub", seconds: 3, succeeded: true, language: .es), "  hecho en 3 s: update-grub")
        XCTAssertEqual(ProgressText.finished("update-grub", seconds: 3, succeeded: false, language: .en), "  failed after 3 s: update-grub")
        XCTAssertEqual(ProgressText.started("update-grub", language: .es), "  empieza: update-grub")
    }
}
