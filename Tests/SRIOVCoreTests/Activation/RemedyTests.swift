import XCTest
import HostAccess
@testable import SRIOVCore

/// Issue 12: a hint says exactly what `apply` would write on the same host, because it is
/// rendered from the planner's plan. The checks' tests compare their hints with the plan's bytes.
enum RemedyHintTests {
    /// The lines a plan's file edits add (comments and blank lines left out), with their paths.
    static func written(_ plan: Plan) -> [(path: String, lines: [String])] {
        plan.steps.compactMap { step -> (String, [String])? in
            guard case .edit(let edit) = step, let after = edit.after else { return nil }
            let old = Set(String(decoding: edit.before ?? [], as: UTF8.self).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
            let new = String(decoding: after, as: UTF8.self).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            return (edit.path, new.filter { !$0.isEmpty && !$0.hasPrefix("#") && !old.contains($0) })
        }
    }

    static func assertSays(_ hint: String, _ plan: Plan, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(plan.isEmpty, "apply has something to do here", file: file, line: line)
        for (path, lines) in written(plan) {
            XCTAssertTrue(hint.contains(path), "the hint names \(path): \(hint)", file: file, line: line)
            for text in lines { XCTAssertTrue(hint.contains(text), "the hint quotes «\(text)»: \(hint)", file: file, line: line) }
        }
        for case .command(let command) in plan.steps {
            XCTAssertTrue(hint.contains(ShellWords.display(command.argv)), "the hint runs \(command.argv): \(hint)", file: file, line: line)
        }
    }
}

/// The remedy value: the plan's steps in words, and the hint made of them.
final class RemedyValueTests: XCTestCase {
    func testStepsInWords() {
        let edit = FileEdit(path: "/etc/default/grub", before: Array("A=1\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n".utf8),
                            after: Array("A=1\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet iommu=pt\"\n".utf8), reason: LocalizedText(en: "r", es: "r"))
        XCTAssertEqual(Remedy.describe(edit).en, "edit /etc/default/grub:2: `GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"` → `GRUB_CMDLINE_LINUX_DEFAULT=\"quiet iommu=pt\"`")
        let append = FileEdit(path: "/etc/x.conf", before: Array("a\n".utf8), after: Array("a\nb\n".utf8), reason: LocalizedText(en: "r", es: "r"))
        XCTAssertEqual(Remedy.describe(append).es, "añada `b` al final de /etc/x.conf")
        XCTAssertEqual(Remedy.describe(FileEdit(path: "/etc/y", before: [0x61], after: nil, reason: LocalizedText(en: "r", es: "r"))).en, "remove /etc/y")
        let remedy = Remedy(plan: Plan(title: LocalizedText(en: "t", es: "t"), steps: [.edit(append), .command(PlannedCommand(["udevadm", "control", "--reload"], reason: LocalizedText(en: "r", es: "r")))]),
                            request: ApplyRequest(vfio: true), explanation: LocalizedText(en: "Do it", es: "Hágalo"))
        XCTAssertEqual(remedy.hint.en, "Do it: add `b` to the end of /etc/x.conf; then run `udevadm control --reload`. `sriov-wizard apply --vfio` makes this change (it shows the diff and asks first).")
    }
}
