import Foundation
import HostAccess
import XCTest
@testable import SRIOVCore

/// `ApplySession` on a copy of the sample host: what it asks, what it writes, what it journals
/// and what it verifies again, for `apply` and the wizard alike.
final class ApplySessionTests: XCTestCase {
    var root = ""
    let pf = PCIAddress("0000:01:00.0")!

    override func setUpWithError() throws { root = try ActivationFixtures.sampleHost() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    /// Answers the question with `answer`, recording what it was shown.
    final class Script: ApplyConversation {
        let answer: Bool
        var presented: [ApplyProposal] = []
        var asked = 0
        init(answer: Bool) { self.answer = answer }
        func present(_ proposal: ApplyProposal) { presented.append(proposal) }
        func confirm(_ proposal: ApplyProposal) -> Bool { asked += 1; return answer }
        var progress: (any PlanProgress)? { nil }
    }

    var rules: String { root + VFPlanner.udevRulesPath }
    var journals: [String] { Journal.ids(Machine(root: root)) }

    func session(_ request: ApplyRequest) -> ApplySession {
        var session = ApplySession(request: request, machine: Machine(root: root), language: .en)
        session.command = ["sriov-wizard", "apply", "--test"]
        return session
    }

    func context() throws -> CheckContext { try ActivationFixtures.context(root) }

    func testRefusedConfirmationWritesNothing() throws {
        let before = ActivationFixtures.files(root)
        let script = Script(answer: false)
        let outcome = try session(ApplyRequest(vfs: .init(device: pf, count: 4))).run(readContext: context, conversation: script)
        guard case .notConfirmed(let proposal) = outcome else { return XCTFail("\(outcome)") }
        XCTAssertEqual(script.asked, 1)
        XCTAssertEqual(script.presented.count, 1)
        XCTAssertFalse(proposal.plan.isEmpty)
        XCTAssertEqual(ActivationFixtures.files(root), before)
        XCTAssertEqual(journals, [])
    }

    func testAcceptedConfirmationWritesJournalsAndVerifiesTheStage() throws {
        let script = Script(answer: true)
        let outcome = try session(ApplyRequest(vfs: .init(device: pf, count: 4))).run(readContext: context, conversation: script)
        guard case .applied(let proposal, let executed, let verified) = outcome else { return XCTFail("\(outcome)") }
        XCTAssertEqual(proposal.remedies.map(\.arguments), [["--device", "0000:01:00.0", "--vfs", "4"]])
        XCTAssertTrue(try String(contentsOfFile: rules, encoding: .utf8).contains(#"KERNEL=="0000:01:00.0", ATTR{sriov_numvfs}="4""#))
        XCTAssertEqual(try String(contentsOfFile: root + VFPlanner.numVFsPath(pf), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), "4")
        // The journal holds every step, done, and the command it was given.
        XCTAssertEqual(journals, [executed.journalID])
        let manifest = try Journal.open(Machine(root: root), id: executed.journalID).load()
        XCTAssertEqual(manifest.state, .applied)
        XCTAssertEqual(manifest.command, ["sriov-wizard", "apply", "--test"])
        XCTAssertEqual(manifest.steps.count, proposal.plan.steps.count)
        // The stage the plan is for, checked again from a fresh read: the VFs now persist.
        XCTAssertEqual(verified.map(\.id), [.activation])
        let persistent = verified.first?.checks.first { $0.id == VFsPersistentCheck.id }
        XCTAssertEqual(persistent?.level, .pass, persistent?.summary.en ?? "no vfs-persistent check")
        // The same request again: nothing to change, nothing asked, no new journal.
        let again = Script(answer: true)
        guard case .alreadyApplied = try session(ApplyRequest(vfs: .init(device: pf, count: 4))).run(readContext: context, conversation: again) else {
            return XCTFail("not already applied")
        }
        XCTAssertEqual(again.asked, 0)
        XCTAssertEqual(journals.count, 1)
    }

    func testDryRunShowsThePlanAndAsksNothing() throws {
        let before = ActivationFixtures.files(root)
        let script = Script(answer: true)
        guard case .dryRun = try { var s = session(ApplyRequest(vfio: true)); s.dryRun = true; return try s.run(readContext: context, conversation: script) }() else {
            return XCTFail("not a dry run")
        }
        XCTAssertEqual(script.presented.count, 1)
        XCTAssertEqual(script.asked, 0)
        XCTAssertEqual(ActivationFixtures.files(root), before)
    }

    func testHeldLockIsATypedFailureBeforeAnythingIsPlanned() throws {
        let held = try ExclusiveLock.acquire(Machine(root: root))
        defer { withExtendedLifetime(held) {} }
        let before = ActivationFixtures.files(root)
        let script = Script(answer: true)
        var read = 0
        XCTAssertThrowsError(try session(ApplyRequest(vfs: .init(device: pf, count: 4))).run(readContext: { read += 1; return try context() }, conversation: script)) { error in
            guard case .lock(.held(let path, let holder))? = error as? ApplySession.Failure else { return XCTFail("\(error)") }
            XCTAssertEqual(path, ExclusiveLock.path)
            XCTAssertEqual(holder, String(getpid()))
        }
        XCTAssertEqual(read, 0)
        XCTAssertEqual(script.presented.count, 0)
        XCTAssertEqual(ActivationFixtures.files(root), before)
    }

    func testAPlanThatCannotBeMadeIsTheplannersError() throws {
        let script = Script(answer: true)
        XCTAssertThrowsError(try session(ApplyRequest(vfs: .init(device: pf, count: 8))).run(readContext: context, conversation: script)) { error in
            guard case .plan(let refusal)? = error as? ApplySession.Failure else { return XCTFail("\(error)") }
            XCTAssertTrue(refusal.message.contains("at most 7"), refusal.message)
        }
        XCTAssertEqual(script.presented.count, 0)
        XCTAssertEqual(journals, [])
    }

    /// A remedy's request is what apply's flags say: the hint's command and the session agree.
    func testRequestArgumentsAreApplysFlags() {
        XCTAssertEqual(ApplyRequest.combined([ApplyRequest(iommu: true), ApplyRequest(vfio: true)]).arguments, ["--iommu", "--vfio"])
        XCTAssertEqual(ApplyRequest(vfs: .init(device: pf, count: 7, method: .modprobe)).arguments, ["--device", "0000:01:00.0", "--vfs", "7", "--method", "modprobe"])
        XCTAssertEqual(ApplyRequest(passthrough: .init(vmid: "100", source: .vf("auto", device: pf))).arguments,
                       ["--passthrough", "100", "--vf", "auto", "--device", "0000:01:00.0"])
        XCTAssertEqual(ApplyRequest(mapping: .init(name: "igb-vfs", device: pf), passthrough: .init(vmid: "101", source: .mapping("igb-vfs"))).arguments,
                       ["--mapping", "igb-vfs", "--device", "0000:01:00.0", "--passthrough", "101"])
        XCTAssertEqual(ApplyRequest(passthrough: .init(vmid: "100", source: .vf("auto", device: pf))).device, pf)
    }
}
