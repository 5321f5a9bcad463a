import XCTest
import HostAccess
@testable import SRIOVCore

// Shared by the check tests of several stages (DeviceActivationTestSupport.swift uses it). The
// stage 1/2 tests keep their own helpers in PrerequisitesBIOSTestSupport.swift.

/// Real and hand-made roots for the check tests.
enum CheckTrees {
    /// The package directory, from this file's path (Tests/SRIOVCoreTests/Checks/<file>).
    static var packageDirectory: String {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(4)
        return parts.joined(separator: "/")
    }

    static var sampleHost: String { packageDirectory + "/Resources/sample-host" }
    static var sampleHostVFs: String { packageDirectory + "/Resources/sample-host-vfs" }
    /// ../shared/lab/captures beside the repository (the same layout in CI).
    static var labCaptures: String { packageDirectory + "/../shared/lab/captures" }

    /// Tests/Fixtures/lab/<scenario>/<phase>: root-layout snapshots of the lab scenarios.
    static func labFixture(_ scenario: String, _ phase: String = "before") -> String {
        packageDirectory + "/Tests/Fixtures/lab/" + scenario + "/" + phase
    }

    /// A context on a root; an unreadable inventory gives an empty one (the checks then
    /// report what they can from the rest of the tree).
    static func context(_ root: String, knowledge: Knowledge = .embedded) -> CheckContext {
        let machine = Machine(root: root)
        let inventory = (try? SysfsInventory.load(machine)) ?? Inventory(functions: [], source: "sysfs")
        return CheckContext(machine: machine, inventory: inventory, knowledge: knowledge)
    }

    /// The one result of a check (nil, and a test failure, when it gives another number).
    static func single<C: Check>(_ check: C.Type, _ context: CheckContext, file: StaticString = #filePath, line: UInt = #line) -> CheckResult? {
        let results = check.run(context)
        XCTAssertEqual(results.count, 1, "\(check.id): \(results.map { "\($0.level) \($0.summary.en)" })", file: file, line: line)
        return results.first
    }

    /// Every summary and hint exists in English and Spanish.
    static func assertBilingual(_ results: [CheckResult], file: StaticString = #filePath, line: UInt = #line) {
        for r in results {
            XCTAssertFalse(r.summary.en.isEmpty, "\(r.id): English summary missing", file: file, line: line)
            XCTAssertFalse(r.summary.es.isEmpty, "\(r.id): Spanish summary missing", file: file, line: line)
            XCTAssertEqual(r.hint.en.isEmpty, r.hint.es.isEmpty, "\(r.id): hint in one language only", file: file, line: line)
        }
    }
}
