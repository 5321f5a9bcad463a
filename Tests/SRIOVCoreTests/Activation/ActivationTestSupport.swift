import Foundation
import HostAccess
import XCTest
@testable import SRIOVCore

enum ActivationFixtures {
    static var repository: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
    }
    static var directory: String { repository + "/Tests/Fixtures/activation" }

    static func text(_ name: String) throws -> String {
        try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
    }

    /// Compares with `Tests/Fixtures/activation/<name>`; UPDATE_GOLDEN=1 rewrites it.
    static func assertGolden(_ actual: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let path = directory + "/" + name
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try actual.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(actual, expected, "golden \(name) differs (UPDATE_GOLDEN=1 rewrites it)", file: file, line: line)
    }

    /// A copy of Resources/sample-host in a temporary directory.
    static func sampleHost() throws -> String {
        let dir = NSTemporaryDirectory() + "activation-\(UUID().uuidString)"
        try FileManager.default.copyItem(atPath: repository + "/Resources/sample-host", toPath: dir)
        return dir
    }

    static func context(_ root: String, commands: (any CommandRunner)? = nil) throws -> CheckContext {
        let machine = Machine(root: root, commands: commands)
        return CheckContext(machine: machine, inventory: try SysfsInventory.load(machine))
    }

    /// Every regular file under a directory (except the journal) with its bytes.
    static func files(_ root: String) -> [String: Data] {
        var result: [String: Data] = [:]
        let e = FileManager.default.enumerator(atPath: root)
        while let p = e?.nextObject() as? String {
            if p.hasPrefix("var/lib/sriov-wizard") { continue }
            var isDir: ObjCBool = false
            let full = root + "/" + p
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue,
               (try? FileManager.default.destinationOfSymbolicLink(atPath: full)) == nil {
                result[p] = FileManager.default.contents(atPath: full)
            }
        }
        return result
    }
}

/// Answers every command with a status, recording what was run.
final class ScriptedCommands: CommandRunner, @unchecked Sendable {
    var ran: [[String]] = []
    var failing: [String: Int32]
    init(failing: [String: Int32] = [:]) { self.failing = failing }
    func run(_ argv: [String], timeout: Double, outputLimit: Int) throws(HostAccessError) -> CommandResult {
        ran.append(argv)
        let status = failing[argv.first ?? ""] ?? 0
        return CommandResult(argv: argv, status: status, stdout: [], stderr: status == 0 ? [] : Array("\(argv[0]): simulated failure\n".utf8))
    }
}
