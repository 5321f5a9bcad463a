import Foundation
import HostAccess
import XCTest
@testable import SRIOVCore

final class ActivationVFPlanTests: XCTestCase {
    var root = ""
    let pf = PCIAddress("0000:01:00.0")!

    override func setUpWithError() throws { root = try ActivationFixtures.sampleHost() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    func numVFs(_ value: String) throws {
        try (value + "\n").write(toFile: root + "/sys/bus/pci/devices/0000:01:00.0/sriov_numvfs", atomically: false, encoding: .utf8)
    }

    func testSysfsPlanWritesTheCountAndAUdevRuleKeyedOnThePF() throws {
        let plan = try VFPlanner.plan(device: pf, count: 4, method: .auto, context: try ActivationFixtures.context(root))
        XCTAssertEqual(plan.steps.map(\.summary.en), [
            "write 4 to /sys/bus/pci/devices/0000:01:00.0/sriov_numvfs",
            "create /etc/udev/rules.d/70-sriov-wizard.rules",
            "run udevadm control --reload",
        ])
        guard case .edit(let edit) = plan.steps[1] else { return XCTFail() }
        let rules = UdevRules(files: [(edit.path, String(decoding: edit.after ?? [], as: UTF8.self))])
        XCTAssertEqual(rules.problems, [])
        XCTAssertEqual(rules.rules.map(\.text), [#"ACTION=="add|bind", SUBSYSTEM=="pci", KERNEL=="0000:01:00.0", ATTR{sriov_numvfs}="4""#])
    }

    func testChangingANonZeroCountGoesThroughZero() throws {
        try numVFs("4")
        let plan = try VFPlanner.plan(device: pf, count: 7, method: .sysfs, context: try ActivationFixtures.context(root))
        XCTAssertEqual(plan.steps.prefix(2).map(\.summary.en), [
            "write 0 to /sys/bus/pci/devices/0000:01:00.0/sriov_numvfs",
            "write 7 to /sys/bus/pci/devices/0000:01:00.0/sriov_numvfs",
        ])
    }

    func testAboveTotalVFsIsRefusedWithTheMaximum() throws {
        XCTAssertThrowsError(try VFPlanner.plan(device: pf, count: 8, method: .auto, context: try ActivationFixtures.context(root))) { error in
            XCTAssertTrue("\(error)".contains("at most 7"), "\(error)")
        }
    }

    func testModprobePlanNotesEveryPortAndDeprecation() throws {
        let plan = try VFPlanner.plan(device: pf, count: 7, method: .modprobe, context: try ActivationFixtures.context(root))
        XCTAssertEqual(plan.steps.map(\.summary.en), ["create /etc/modprobe.d/sriov-wizard-igb.conf", "run update-initramfs -u -k all"])
        guard case .edit(let edit) = plan.steps[0] else { return XCTFail() }
        let config = ModprobeConfig(files: [(edit.path, String(decoding: edit.after ?? [], as: UTF8.self))])
        XCTAssertEqual(config.option(module: "igb", name: "max_vfs")?.value, "7")
        XCTAssertTrue(plan.notes.map(\.en).joined().contains("every port"))
        XCTAssertTrue(plan.notes.map(\.en).joined().contains("deprecated"))
    }

    /// apply, re-plan (already applied), rollback: files byte-identical.
    func testApplyIsIdempotentAndRollsBackByteForByte() throws {
        let before = ActivationFixtures.files(root)
        let context = try ActivationFixtures.context(root)
        let plan = try VFPlanner.plan(device: pf, count: 4, method: .sysfs, context: context)
        let outcome = try PlanExecutor(machine: context.machine).apply(plan, command: ["test"])
        XCTAssertNil(outcome.failure)
        XCTAssertEqual(outcome.notRun, ["udevadm control --reload"])
        let again = try VFPlanner.plan(device: pf, count: 4, method: .sysfs, context: try ActivationFixtures.context(root))
        XCTAssertTrue(again.isEmpty, "\(again.steps.map(\.summary.en))")
        let rollback = Rollback(machine: context.machine)
        XCTAssertNil(rollback.run(try rollback.plan(id: outcome.journalID)).failure)
        XCTAssertEqual(ActivationFixtures.files(root), before)
        XCTAssertThrowsError(try rollback.plan(id: outcome.journalID))  // already rolled back
    }

    func testSwitchingMethodRemovesTheOtherPersistence() throws {
        let context = try ActivationFixtures.context(root)
        _ = try PlanExecutor(machine: context.machine).apply(try VFPlanner.plan(device: pf, count: 4, method: .sysfs, context: context), command: [])
        let plan = try VFPlanner.plan(device: pf, count: 4, method: .modprobe, context: try ActivationFixtures.context(root))
        XCTAssertTrue(plan.steps.map(\.summary.en).contains("remove /etc/udev/rules.d/70-sriov-wizard.rules"), "\(plan.steps.map(\.summary.en))")
    }

    func testRollbackRefusesWhenAFileWasChangedSince() throws {
        let context = try ActivationFixtures.context(root)
        let outcome = try PlanExecutor(machine: context.machine).apply(try VFPlanner.plan(device: pf, count: 4, method: .sysfs, context: context), command: [])
        try "# mine\n".write(toFile: root + VFPlanner.udevRulesPath, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Rollback(machine: context.machine).plan(id: outcome.journalID)) { error in
            XCTAssertTrue("\(error)".contains("was changed after apply"), "\(error)")
        }
    }

    func testApplyRefusesAFileChangedSinceThePlan() throws {
        let context = try ActivationFixtures.context(root)
        let plan = try VFPlanner.plan(device: pf, count: 4, method: .sysfs, context: context)
        try FileManager.default.createDirectory(atPath: root + "/etc/udev/rules.d", withIntermediateDirectories: true)
        try "# someone else\n".write(toFile: root + VFPlanner.udevRulesPath, atomically: true, encoding: .utf8)
        let outcome = try PlanExecutor(machine: context.machine).apply(plan, command: [])
        XCTAssertTrue(outcome.failure?.contains("changed since the plan was made") ?? false, outcome.failure ?? "")
        XCTAssertEqual(try String(contentsOfFile: root + VFPlanner.udevRulesPath, encoding: .utf8), "# someone else\n")
    }
}

final class ActivationVFMACTests: XCTestCase {
    func testMACsAreStableLocallyAdministeredAndDistinct() {
        let pf = PCIAddress("0000:01:00.0")!
        let macs = (0..<7).map { VFPlanner.vfMAC(pf: pf, index: $0, machineID: "0123456789abcdef0123456789abcdef") }
        XCTAssertEqual(Set(macs).count, 7)
        XCTAssertEqual(macs, (0..<7).map { VFPlanner.vfMAC(pf: pf, index: $0, machineID: "0123456789abcdef0123456789abcdef") })
        XCTAssertNotEqual(macs[0], VFPlanner.vfMAC(pf: pf, index: 0, machineID: "another host"))
        for mac in macs {
            let first = UInt8(mac.prefix(2), radix: 16)!
            XCTAssertEqual(first & 0x03, 0x02, "\(mac): locally administered, unicast")
            XCTAssertEqual(mac.count, 17)
        }
    }

    func testMACsGoIntoTheRuleAndAreSetNow() throws {
        let root = try ActivationFixtures.sampleHost()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let plan = try VFPlanner.plan(device: PCIAddress("0000:01:00.0")!, count: 2, method: .auto, macs: true, context: try ActivationFixtures.context(root))
        let commands = plan.steps.compactMap { step -> [String]? in if case .command(let c) = step { return c.argv } else { return nil } }
        XCTAssertEqual(commands.count, 3)
        XCTAssertEqual(Array(commands[0].suffix(6).prefix(5)), ["set", "enp1s0", "vf", "0", "mac"])
        guard let edit = plan.steps.compactMap({ step -> FileEdit? in if case .edit(let e) = step { return e } else { return nil } }).first else { return XCTFail() }
        let rules = UdevRules(files: [(edit.path, String(decoding: edit.after ?? [], as: UTF8.self))])
        XCTAssertEqual(rules.problems, [])
        XCTAssertEqual(rules.rules.first?.pairs.filter { $0.key == "RUN" }.map(\.value), [commands[0].joined(separator: " "), commands[1].joined(separator: " ")])
        XCTAssertThrowsError(try VFPlanner.plan(device: PCIAddress("0000:01:00.0")!, count: 2, method: .modprobe, macs: true, context: try ActivationFixtures.context(root)))
    }

    func testExecutorEditsOnlyConfiguration() throws {
        let root = try ActivationFixtures.sampleHost()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let plan = Plan(title: LocalizedText(en: "bad", es: "bad"), steps: [.edit(FileEdit(path: "/usr/bin/x", before: nil, after: [1], reason: LocalizedText(en: "", es: "")))])
        let outcome = try PlanExecutor(machine: Machine(root: root)).apply(plan, command: [])
        XCTAssertTrue(outcome.failure?.contains("under /etc/ only") ?? false, outcome.failure ?? "")
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/usr/bin/x"))
    }
}

final class ActivationRulesFileTests: XCTestCase {
    func testOtherRulesAndCRLFLinesAreKept() {
        let pf = PCIAddress("0000:01:00.0")!
        let old = Array("# mine\r\nACTION==\"add\", KERNEL==\"0000:02:00.0\", ATTR{sriov_numvfs}=\"2\"\r\nACTION==\"add|bind\", SUBSYSTEM==\"pci\", KERNEL==\"0000:01:00.0\", ATTR{sriov_numvfs}=\"4\"\n".utf8)
        let new = String(decoding: VFPlanner.rulesFile(old, pf: pf, count: 7) ?? [], as: UTF8.self)
        XCTAssertEqual(new, "# mine\r\nACTION==\"add\", KERNEL==\"0000:02:00.0\", ATTR{sriov_numvfs}=\"2\"\r\n" + VFPlanner.udevRule(pf, count: 7) + "\n")
        // Removing our rule keeps a file that has other rules.
        let removed = String(decoding: VFPlanner.rulesFile(old, pf: pf, count: nil) ?? [], as: UTF8.self)
        XCTAssertEqual(removed, "# mine\r\nACTION==\"add\", KERNEL==\"0000:02:00.0\", ATTR{sriov_numvfs}=\"2\"\r\n")
    }
}
