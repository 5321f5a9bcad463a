import Foundation
import Glibc
import HostAccess
import HostAccessTestSupport
import XCTest
@testable import SRIOVCore

/// A failure at every step of an apply (write, rename, fsync, command, sysfs) leaves every
/// file either as it was or fully written, the journal says which, and a rollback restores
/// everything, also after an interrupted run.
final class ActivationFaultInjectionTests: XCTestCase {
    var root = ""
    let fileA = "/etc/modprobe.d/sriov-wizard-igb.conf", fileB = "/etc/udev/rules.d/70-sriov-wizard.rules", attribute = "/sys/bus/pci/devices/0000:01:00.0/sriov_numvfs"
    let oldA = Array("options igb max_vfs=2\n".utf8), newA = Array("options igb max_vfs=4\n# longer than before\n".utf8)
    let newB = Array("ACTION==\"bind\"\n".utf8)

    override func setUpWithError() throws { root = try ActivationFixtures.sampleHost() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    func freshRoot() throws -> [String: Data] {
        try? FileManager.default.removeItem(atPath: root)
        root = try ActivationFixtures.sampleHost()
        try FileManager.default.createDirectory(atPath: root + "/etc/modprobe.d", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: root + fileA, contents: Data(oldA))
        chmod(root + fileA, 0o600)
        return ActivationFixtures.files(root)
    }

    /// A small root with just what the plan touches (the kill tests make one per kill point).
    func smallRoot() throws -> [String: Data] {
        try? FileManager.default.removeItem(atPath: root)
        root = NSTemporaryDirectory() + "kill-\(UUID().uuidString)"
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/sys/bus/pci/devices/0000:01:00.0", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/etc/modprobe.d", withIntermediateDirectories: true)
        fm.createFile(atPath: root + attribute, contents: Data("0\n".utf8))
        fm.createFile(atPath: root + "/sys/bus/pci/devices/0000:01:00.0/sriov_totalvfs", contents: Data("7\n".utf8))
        fm.createFile(atPath: root + fileA, contents: Data(oldA))
        chmod(root + fileA, 0o600)
        return ActivationFixtures.files(root)
    }

    var plan: Plan {
        Plan(title: LocalizedText(en: "test", es: "test"), steps: [
            .sysfs(AttributeWrite(path: attribute, value: "3", reason: LocalizedText(en: "now", es: "now"))),
            .edit(FileEdit(path: fileA, before: oldA, after: newA, reason: LocalizedText(en: "a", es: "a"))),
            .edit(FileEdit(path: fileB, before: nil, after: newB, reason: LocalizedText(en: "b", es: "b"))),
            .command(PlannedCommand(["update-initramfs", "-u", "-k", "all"], reason: LocalizedText(en: "c", es: "c"), rerunOnRollback: true)),
        ])
    }

    func bytes(_ path: String) -> [UInt8]? { FileManager.default.contents(atPath: root + path).map { Array($0) } }

    func check(_ faults: FaultyFileOperations?, commands: ScriptedCommands, label: String) throws {
        let original = try freshRoot()
        let machine = Machine(root: root, commands: commands)
        let executor = PlanExecutor(machine: machine, operations: faults ?? LiveFileOperations(), performsHostActions: true)
        let outcome = try executor.apply(plan, command: ["test"])
        let manifest = try Journal.open(machine, id: outcome.journalID).load()
        XCTAssertEqual(manifest, outcome.manifest, label)
        if faults?.fired == true || commands.ran.contains(where: { commands.failing[$0[0]] != nil }) {
            XCTAssertNotNil(outcome.failure, label)
            XCTAssertEqual(manifest.state, .failed, label)
        }
        // Every file is old or new, and the journal says which.
        for (index, path, old, new) in [(1, fileA, Optional(oldA), newA), (2, fileB, nil, newB)] {
            let now = bytes(path)
            XCTAssertTrue(now == old || now == new, "\(label): \(path) is neither old nor new")
            let step = manifest.steps[index]
            switch step.state {
            case .done: XCTAssertEqual(now, new, "\(label): \(path) done but not written")
            case .pending: XCTAssertEqual(now, old, "\(label): \(path) pending but changed")
            case .failed:
                XCTAssertEqual(step.outcome, now == new ? "written" : "unchanged", "\(label): \(path) outcome")
            default: XCTFail("\(label): unexpected state \(step.state)")
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: root + path + FileEditor.temporarySuffix), "\(label): temporary left")
        }
        // Rollback (with live operations, working commands) restores every byte, mode included.
        commands.failing = [:]
        let rollback = Rollback(machine: machine, performsHostActions: true)
        let result = rollback.run(try rollback.plan(id: outcome.journalID))
        XCTAssertNil(result.failure, label)
        XCTAssertEqual(ActivationFixtures.files(root), original, "\(label): not restored")
        var st = stat()
        stat(root + fileA, &st)
        XCTAssertEqual(st.st_mode & 0o777, 0o600, label)
    }

    func testNoFault() throws {
        try check(nil, commands: ScriptedCommands(), label: "no fault")
    }

    func testEveryFileOperationFault() throws {
        for op in FaultyFileOperations.Operation.allCases {
            for nth in 1...2 {
                try check(FaultyFileOperations(failing: op, nth: nth), commands: ScriptedCommands(), label: "\(op) #\(nth)")
            }
        }
    }

    func testCommandFailureStopsThePlanAndSaysWhat() throws {
        let commands = ScriptedCommands(failing: ["update-initramfs": 1])
        try check(nil, commands: commands, label: "command")
    }

    func testSysfsRefusalStopsBeforeAnyFile() throws {
        _ = try freshRoot()
        let machine = Machine(root: root, commands: ScriptedCommands())
        let outcome = try PlanExecutor(machine: machine, operations: FaultyFileOperations(failing: .writeAttribute), performsHostActions: true)
            .apply(plan, command: [])
        XCTAssertEqual(outcome.manifest.steps.map(\.state), [.failed, .pending, .pending, .pending])
        XCTAssertEqual(bytes(fileA), oldA)
    }

    /// A run killed after a rename: the manifest still says `started` and `applying`.
    func testInterruptedApplyCanBeRolledBack() throws {
        let original = try freshRoot()
        let machine = Machine(root: root, commands: ScriptedCommands())
        let outcome = try PlanExecutor(machine: machine, operations: FaultyFileOperations(failing: .renameThenFail, nth: 2), performsHostActions: true)
            .apply(plan, command: [])
        let journal = try Journal.open(machine, id: outcome.journalID)
        var manifest = try journal.load()
        manifest.state = .applying
        manifest.steps[2].state = .started
        manifest.steps[2].outcome = nil
        try journal.save(manifest)
        XCTAssertEqual(bytes(fileB), newB)
        let rollback = Rollback(machine: machine, performsHostActions: true)
        XCTAssertNil(rollback.run(try rollback.plan(id: outcome.journalID)).failure)
        XCTAssertEqual(ActivationFixtures.files(root), original)
    }

    /// The process killed right after each of the file-system calls an apply makes (the
    /// journal's too), with and without host actions (snapshot mode records sysfs writes in
    /// the tree): the next process's rollback finishes honestly, and afterwards every byte is
    /// as before, no temporary file is left, and the directories apply created are gone.
    /// Before write-ahead sysfs steps in snapshot mode, 7 kill points left `sriov_numvfs`
    /// changed after a rollback that said it had rolled back.
    func testAKillAtEveryPointLeavesAJournalThatRollbackFinishes() throws {
        var points = 0
        for hostActions in [true, false] {
            _ = try smallRoot()
            let counter = KillSwitch(killAt: nil)
            let full = try PlanExecutor(machine: Machine(root: root, commands: ScriptedCommands()), operations: counter,
                                        performsHostActions: hostActions, journalOperations: counter).apply(plan, command: ["test"])
            XCTAssertTrue(full.succeeded)
            let total = counter.calls
            XCTAssertGreaterThan(total, 40)
            var broken: [String] = []
            for k in 1...total {
                points += 1
                let label = "\(hostActions ? "host" : "snapshot") kill after call \(k) of \(total)"
                let original = try smallRoot()
                let machine = Machine(root: root, commands: ScriptedCommands())
                let kill = KillSwitch(killAt: k)
                _ = try? PlanExecutor(machine: machine, operations: kill, performsHostActions: hostActions, journalOperations: kill)
                    .apply(plan, command: ["test"])
                XCTAssertTrue(kill.killed, label)
                // What `history` says of the journal the kill left: the interrupted text with the
                // steps done and the command that undoes them (both languages).
                if let id = Journal.ids(machine).last {
                    switch Result(catching: { () throws(HostAccessError) in try Journal.open(machine, id: id).load() }) {
                    case .success(let manifest) where manifest.state == .applying:
                        let done = manifest.steps.filter { $0.state == .done }.count
                        let text = JournalExplanation.interrupted(manifest)
                        if text?.en.contains("after \(done) of \(manifest.steps.count) steps") != true
                            || text?.en.contains("sriov-wizard rollback --id \(id)") != true
                            || text?.es.contains("tras \(done) de \(manifest.steps.count) pasos") != true {
                            broken.append("\(label): history says \(text?.en ?? "nothing") of an interrupted apply")
                        }
                        if let open = manifest.steps.first(where: { $0.state == .started }), text?.en.contains("Step \(open.index + 1) (") != true {
                            broken.append("\(label): history does not name the step in progress")
                        }
                    case .success(let manifest):
                        if JournalExplanation.interrupted(manifest) != nil { broken.append("\(label): a finished journal called interrupted") }
                    case .failure(let error):
                        if case .notFound = error, JournalExplanation.unreadable(id: id, error: error).en.contains("nothing was changed") != true {
                            broken.append("\(label): a journal without a manifest is not explained")
                        }
                        if FileManager.default.contents(atPath: root + attribute) != Data("0\n".utf8) && !hostActions {
                            broken.append("\(label): no manifest, yet sriov_numvfs changed: history's 'nothing was changed' would be false")
                        }
                    }
                }
                // The next process.
                let rollback = Rollback(machine: machine, performsHostActions: hostActions)
                if let id = Journal.ids(machine).last, let manifest = try? Journal.open(machine, id: id).load() {
                    do {
                        let result = rollback.run(try rollback.plan(id: id))
                        if let failure = result.failure { broken.append("\(label): rollback failed: \(failure)"); continue }
                    } catch {
                        // Only a journal with nothing begun may be refused as "nothing to do".
                        if manifest.steps.contains(where: { $0.state != .pending }) { broken.append("\(label): \(error)"); continue }
                    }
                }
                let now = ActivationFixtures.files(root)
                if now != original {
                    let changed = Set(now.keys).union(original.keys).filter { now[$0] != original[$0] }.sorted()
                    broken.append("\(label): not as before after rollback: \(changed)")
                }
                if FileManager.default.fileExists(atPath: root + "/etc/udev") { broken.append("\(label): /etc/udev (created by apply) left") }
            }
            XCTAssertEqual(broken, [], "\(broken.count) of \(total) kill points")
        }
        XCTAssertGreaterThan(points, 100)
    }

    /// A rollback killed at any call of its own (its journal writes included) is finished by
    /// running rollback again: every byte, mode and directory is as before the apply.
    func testAnInterruptedRollbackIsFinishedByTheNextRollback() throws {
        var broken: [String] = []
        var points = 0
        for hostActions in [true, false] {
            // How many calls a whole rollback makes.
            _ = try smallRoot()
            let applied = try PlanExecutor(machine: Machine(root: root, commands: ScriptedCommands()), performsHostActions: hostActions)
                .apply(plan, command: ["test"])
            let counter = KillSwitch(killAt: nil)
            let counting = Rollback(machine: Machine(root: root, commands: ScriptedCommands()), operations: counter,
                                    performsHostActions: hostActions, journalOperations: counter)
            XCTAssertNil(counting.run(try counting.plan(id: applied.journalID)).failure)
            let total = counter.calls
            XCTAssertGreaterThan(total, 10)
            for k in 1...total {
                points += 1
                let label = "\(hostActions ? "host" : "snapshot") rollback killed after call \(k) of \(total)"
                let original = try smallRoot()
                let machine = Machine(root: root, commands: ScriptedCommands())
                let id = try PlanExecutor(machine: machine, performsHostActions: hostActions).apply(plan, command: ["test"]).journalID
                let applied = ActivationFixtures.files(root)
                let kill = KillSwitch(killAt: k)
                let first = Rollback(machine: machine, operations: kill, performsHostActions: hostActions, journalOperations: kill)
                if let planned = try? first.plan(id: id) { _ = first.run(planned) }
                XCTAssertTrue(kill.killed, label)
                // Write-ahead: once the killed rollback changed anything, its journal says a
                // rollback is under way (not `applied`), and `history` says how to finish it.
                if ActivationFixtures.files(root) != applied {
                    let manifest = try Journal.open(machine, id: id).load()
                    if manifest.state != .rollingBack && manifest.state != .rolledBack {
                        broken.append("\(label): files changed, yet the journal says \(manifest.state.rawValue)")
                    } else if manifest.state == .rollingBack {
                        let text = JournalExplanation.interrupted(manifest)
                        if text?.en.contains("interrupted during rollback") != true || text?.en.contains("sriov-wizard rollback --id \(id)` again") != true
                            || text?.es.contains("otra vez para terminar") != true {
                            broken.append("\(label): history says \(text?.en ?? "nothing") of an interrupted rollback")
                        }
                    }
                }
                // The next process.
                let second = Rollback(machine: machine, performsHostActions: hostActions)
                do {
                    let result = second.run(try second.plan(id: id))
                    if let failure = result.failure { broken.append("\(label): second rollback failed: \(failure)"); continue }
                } catch {
                    if case .alreadyRolledBack = error {} else { broken.append("\(label): \(error)"); continue }
                }
                let now = ActivationFixtures.files(root)
                if now != original {
                    let changed = Set(now.keys).union(original.keys).filter { now[$0] != original[$0] }.sorted()
                    broken.append("\(label): not as before after the second rollback: \(changed)")
                }
                if FileManager.default.fileExists(atPath: root + "/etc/udev") { broken.append("\(label): /etc/udev (created by apply) left") }
                var st = stat()
                stat(root + fileA, &st)
                if st.st_mode & 0o777 != 0o600 { broken.append("\(label): mode of \(fileA) not restored") }
                if let manifest = try? Journal.open(machine, id: id).load(), manifest.state != .rolledBack {
                    broken.append("\(label): the journal says \(manifest.state.rawValue) after the second rollback")
                }
            }
        }
        XCTAssertEqual(broken, [], "\(broken.count) of \(points) kill points")
    }

    /// The temporary file and the directories of an interrupted apply are removed by rollback.
    func testRollbackRemovesLeftoversOfAKilledApply() throws {
        _ = try smallRoot()
        let counter = KillSwitch(killAt: nil)
        _ = try PlanExecutor(machine: Machine(root: root, commands: ScriptedCommands()), operations: counter, performsHostActions: true,
                             journalOperations: counter).apply(plan, command: [])
        // The first kill point that leaves fileB's temporary file behind.
        var found = false
        var original: [String: Data] = [:]
        for candidate in 1...counter.calls {
            original = try smallRoot()
            let kill = KillSwitch(killAt: candidate)
            _ = try? PlanExecutor(machine: Machine(root: root, commands: ScriptedCommands()), operations: kill, performsHostActions: true,
                                  journalOperations: kill).apply(plan, command: [])
            if FileManager.default.fileExists(atPath: root + fileB + FileEditor.temporarySuffix) { found = true; break }
        }
        XCTAssertTrue(found, "some kill point leaves fileB's temporary file")
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/etc/udev/rules.d"))
        let machine = Machine(root: root, commands: ScriptedCommands())
        let id = try XCTUnwrap(Journal.ids(machine).last)
        let manifest = try Journal.open(machine, id: id).load()
        XCTAssertEqual(manifest.steps[2].createdDirectories, ["/etc/udev", "/etc/udev/rules.d"])
        XCTAssertEqual(manifest.steps[2].state, .started)
        let rollback = Rollback(machine: machine, performsHostActions: true)
        let planned = try rollback.plan(id: id)
        XCTAssertEqual(Array(planned.actions.filter { if case .removeDirectory = $0 { return true } else { return false } }),
                       [.removeDirectory(path: "/etc/udev/rules.d"), .removeDirectory(path: "/etc/udev")])
        XCTAssertNil(rollback.run(planned).failure)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + fileB + FileEditor.temporarySuffix))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/etc/udev"))
        XCTAssertEqual(ActivationFixtures.files(root), original)
    }

    func testKernelAnswersAreExplained() {
        let machine = Machine(root: root)
        let write = AttributeWrite(path: attribute, value: "8", reason: LocalizedText(en: "", es: ""))
        XCTAssertTrue(PlanExecutor.explain(ERANGE, write: write, machine: machine).en.contains("maximum for this device is 7"))
        XCTAssertTrue(PlanExecutor.explain(ENOMEM, write: write, machine: machine).en.contains("Above 4G Decoding"))
        XCTAssertTrue(PlanExecutor.explain(EBUSY, write: write, machine: machine).en.contains("write 0 first"))
    }
}
