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
    let fileA = "/etc/modprobe.d/a.conf", fileB = "/etc/udev/rules.d/b.rules", attribute = "/sys/bus/pci/devices/0000:01:00.0/sriov_numvfs"
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

    var plan: Plan {
        Plan(title: "test", steps: [
            .sysfs(AttributeWrite(path: attribute, value: "3", reason: "now")),
            .edit(FileEdit(path: fileA, before: oldA, after: newA, reason: "a")),
            .edit(FileEdit(path: fileB, before: nil, after: newB, reason: "b")),
            .command(PlannedCommand(["update-initramfs", "-u", "-k", "all"], reason: "c", rerunOnRollback: true)),
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

    func testKernelAnswersAreExplained() {
        let machine = Machine(root: root)
        let write = AttributeWrite(path: attribute, value: "8", reason: "")
        XCTAssertTrue(PlanExecutor.explain(ERANGE, write: write, machine: machine).contains("maximum for this device is 7"))
        XCTAssertTrue(PlanExecutor.explain(ENOMEM, write: write, machine: machine).contains("Above 4G Decoding"))
        XCTAssertTrue(PlanExecutor.explain(EBUSY, write: write, machine: machine).contains("write 0 first"))
    }
}
