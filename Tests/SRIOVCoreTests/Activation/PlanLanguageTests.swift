import Foundation
import HostAccess
import XCTest
@testable import SRIOVCore

/// Issue 13: a plan speaks the user's language (its title, every step's summary and reason, its
/// notes, what is already in place and what is left), and journals written before the Spanish
/// texts were recorded still read in rollback and history.
final class PlanLanguageTests: XCTestCase {
    let pf = PCIAddress("0000:01:00.0")!

    static func texts(_ plan: Plan) -> [LocalizedText] {
        [plan.title] + plan.notes + plan.pending + plan.alreadyApplied + plan.manual + plan.steps.flatMap { [$0.summary, $0.reason] }
    }

    func testEveryPlannerFillsEveryTextInBothLanguages() throws {
        let root = try ActivationFixtures.sampleHost()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let context = try ActivationFixtures.context(root)
        var plans = [
            try VFIOModulesPlanner.plan(context: context),
            try VFPlanner.plan(device: pf, count: 4, method: .sysfs, macs: true, context: context),
            try VFPlanner.plan(device: pf, count: 7, method: .modprobe, context: context),
        ]
        _ = try PlanExecutor(machine: context.machine).apply(plans[1], command: [])
        let applied = try ActivationFixtures.context(root)
        plans += [try VFPlanner.plan(device: pf, count: 4, method: .sysfs, macs: true, context: applied),   // already in place
                  try VFPlanner.plan(device: pf, count: 0, method: .sysfs, context: applied),
                  try VFPlanner.plan(device: pf, count: 7, method: .modprobe, context: applied)]
        var checked = 0
        for plan in plans {
            for text in Self.texts(plan) {
                checked += 1
                XCTAssertFalse(text.es.isEmpty, "\(text)")
                // Only a step's command line is the same in both languages; its verb is not.
                XCTAssertNotEqual(text.en, text.es, "not translated: \(text.en)")
            }
        }
        XCTAssertGreaterThan(checked, 30)
        XCTAssertTrue(plans[3].alreadyApplied.contains { $0.es.contains("ya vale 4") }, "\(plans[3].alreadyApplied)")
        XCTAssertThrowsError(try VFPlanner.plan(device: pf, count: 8, method: .auto, context: applied)) { error in
            let e = error as? ActivationError
            XCTAssertTrue(e?.message(.es).contains("admite como mucho 7 VFs") == true, "\(error)")
            XCTAssertTrue(e?.message(.en).contains("allows at most 7 VFs") == true, "\(error)")
        }
    }

    /// A journal from before `summaryES`/`notesES`: history and rollback read it, in Spanish
    /// where the words are rendered from the recorded steps, in English for the recorded title.
    func testAJournalWithEnglishOnlyTextsStillReads() throws {
        let root = try ActivationFixtures.sampleHost()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let context = try ActivationFixtures.context(root)
        let plan = Plan.combined([try VFIOModulesPlanner.plan(context: context),
                                  try VFPlanner.plan(device: pf, count: 4, method: .sysfs, context: context)])
        let outcome = try PlanExecutor(machine: context.machine).apply(plan, command: ["apply"])
        XCTAssertTrue(outcome.succeeded, outcome.failure ?? "")
        XCTAssertEqual(outcome.manifest.summaryES, plan.title.es)
        XCTAssertEqual(JournalText.notes(outcome.manifest, .es), plan.pending.map(\.es))

        // Rewrite the manifest the way older versions wrote it: no Spanish keys.
        let path = root + Journal.directory + "/\(outcome.journalID)/manifest.json"
        var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        object["summaryES"] = nil
        object["notesES"] = nil
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))

        let machine = Machine(root: root)
        let old = try Journal.open(machine, id: outcome.journalID).load()
        XCTAssertNil(old.summaryES)
        XCTAssertEqual(JournalText.summary(old, .es), plan.title.en, "the recorded title, as recorded")
        XCTAssertEqual(JournalText.notes(old, .es), plan.pending.map(\.en))
        XCTAssertEqual(old.steps.map { JournalText.describe($0).es }, [
            "crear /etc/modules-load.d/vfio.conf",
            "ejecutar update-initramfs -u -k all",
            "escribir 4 en /sys/bus/pci/devices/0000:01:00.0/sriov_numvfs",
            "crear /etc/udev/rules.d/70-sriov-wizard.rules",
            "ejecutar udevadm control --reload",
        ])
        XCTAssertEqual(old.steps.map { JournalText.describe($0).en }, old.steps.map(\.description))
        let planned = try Rollback(machine: machine).plan(id: outcome.journalID)
        XCTAssertTrue(planned.actions.map { $0.text.es }.contains("borrar /etc/modules-load.d/vfio.conf (no existía antes)"), "\(planned.actions)")
        // A description this version does not know is shown as recorded.
        var unknown = old.steps[0]
        unknown.description = "create something else"
        XCTAssertEqual(JournalText.describe(unknown).es, "create something else")
    }
}
