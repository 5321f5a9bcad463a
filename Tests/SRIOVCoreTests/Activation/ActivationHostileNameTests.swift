import Foundation
import HostAccess
import XCTest
@testable import SRIOVCore

/// `apply` with names that a shell would read as syntax: blanks, quotes, `;`, `$()`, backticks.
/// They come from the root directory the user gives, from sysfs (interface and driver names
/// are whatever the tree says), and from arguments. Commands must reach the runner as argv
/// words unchanged, files must be written where planned, and names that would become syntax
/// in a configuration file (udev RUN, modprobe.d) are refused with the name shown.
final class ActivationHostileNameTests: XCTestCase {
    /// Every character class a shell or udev would interpret (no `/`: a path component).
    static let hostile = #"x y 'q' "dq" ; $(touch PWNED) `touch PWNED2` %k $kernel"#
    var parent = ""
    var root = ""
    let pf = PCIAddress("0000:01:00.0")!

    override func setUpWithError() throws {
        parent = NSTemporaryDirectory() + "hostile-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        root = parent + "/" + Self.hostile
        try FileManager.default.copyItem(atPath: ActivationFixtures.repository + "/Resources/sample-host", toPath: root)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: parent) }

    var pfDirectory: String { root + "/sys/bus/pci/devices/0000:01:00.0" }

    /// No file named PWNED* appeared anywhere a shell would have created it.
    func assertNothingExecuted(file: StaticString = #filePath, line: UInt = #line) {
        for dir in [parent, root, FileManager.default.currentDirectoryPath, NSTemporaryDirectory()] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            XCTAssertFalse(names.contains { $0.hasPrefix("PWNED") }, "a shell ran a word of a name in \(dir)", file: file, line: line)
        }
    }

    func renameNetdev(to name: String) throws {
        try FileManager.default.moveItem(atPath: pfDirectory + "/net/enp1s0", toPath: pfDirectory + "/net/" + name)
    }

    func setDriver(_ name: String) throws {
        try FileManager.default.removeItem(atPath: pfDirectory + "/driver")
        try FileManager.default.createSymbolicLink(atPath: pfDirectory + "/driver", withDestinationPath: "../../../../bus/pci/drivers/" + name)
    }

    /// A root path full of shell syntax: files land under it, commands are the planned argv.
    func testApplyAndRollbackUnderARootNamedWithShellSyntax() throws {
        let before = ActivationFixtures.files(root)
        let commands = ScriptedCommands()
        let context = try ActivationFixtures.context(root, commands: commands)
        let plan = try VFPlanner.plan(device: pf, count: 4, method: .sysfs, macs: true, context: context)
        let outcome = try PlanExecutor(machine: context.machine, performsHostActions: true).apply(plan, command: ["apply"])
        XCTAssertNil(outcome.failure)
        XCTAssertEqual(try String(contentsOfFile: pfDirectory + "/sriov_numvfs", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), "4")
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + VFPlanner.udevRulesPath))
        // `ip link set enp1s0 vf N mac M` for each VF now, then the udev reload: argv as planned.
        XCTAssertEqual(commands.ran, plan.steps.compactMap { step -> [String]? in if case .command(let c) = step { return c.argv } else { return nil } })
        XCTAssertEqual(commands.ran.count, 5, "\(commands.ran)")
        XCTAssertTrue(commands.ran.contains(["udevadm", "control", "--reload"]), "\(commands.ran)")
        for argv in commands.ran {
            XCTAssertFalse(["sh", "bash", "dash", "/bin/sh", "/bin/bash", "/usr/bin/env"].contains(argv[0]), "\(argv)")
            XCTAssertFalse(argv.contains("-c"), "\(argv)")
        }
        let rollback = Rollback(machine: context.machine, performsHostActions: true)
        XCTAssertNil(rollback.run(try rollback.plan(id: outcome.journalID)).failure)
        let after = ActivationFixtures.files(root)
        XCTAssertEqual(Set(after.keys), Set(before.keys))
        for (path, bytes) in before where !path.hasSuffix("sriov_numvfs") { XCTAssertEqual(after[path], bytes, path) }
        assertNothingExecuted()
    }

    /// The kernel accepts `$`, quotes and `;` in interface names; udev would expand them in RUN.
    func testVFMACsRefuseAnInterfaceNameUdevWouldReadAsSyntax() throws {
        for name in [#"e;$(touch PWNED)"#, #"e"x"#, "e$kernel", "e%k", "e`id`", "e'q", "e x", "e\u{1}x", "sixteen-bytes-xx"] {
            try? FileManager.default.removeItem(atPath: pfDirectory + "/net")
            try FileManager.default.createDirectory(atPath: pfDirectory + "/net/" + name, withIntermediateDirectories: true)
            XCTAssertThrowsError(try VFPlanner.plan(device: pf, count: 2, method: .sysfs, macs: true, context: try ActivationFixtures.context(root)), name) { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains("Rename the interface"), message)
                XCTAssertTrue(message.contains(VFPlanner.quoted(name)), message)
                XCTAssertFalse(message.unicodeScalars.contains { $0.value < 0x20 }, "control bytes are escaped: \(message)")
            }
            // Without --vf-mac the name goes nowhere: the rule names the PCI address only.
            let plan = try VFPlanner.plan(device: pf, count: 2, method: .sysfs, context: try ActivationFixtures.context(root))
            for case .edit(let edit) in plan.steps {
                XCTAssertFalse(String(decoding: edit.after ?? [], as: UTF8.self).contains(name), name)
            }
        }
        try FileManager.default.removeItem(atPath: pfDirectory + "/net")
        try FileManager.default.createDirectory(atPath: pfDirectory + "/net/enp1s0.100_a-b", withIntermediateDirectories: true)
        XCTAssertNoThrow(try VFPlanner.plan(device: pf, count: 2, method: .sysfs, macs: true, context: try ActivationFixtures.context(root)))
        assertNothingExecuted()
    }

    /// A driver name goes into /etc/modprobe.d as a word: a newline would start an `install` line.
    func testModprobeRefusesADriverNameThatIsNotAModuleName() throws {
        for name in ["ig b", "igb;$(touch PWNED)", "igb\ninstall igb true", #"ig"b"#, "..", "i.gb"] {
            try setDriver(name)
            XCTAssertThrowsError(try VFPlanner.plan(device: pf, count: 2, method: .modprobe, context: try ActivationFixtures.context(root)), name) { error in
                XCTAssertTrue("\(error)".contains("not a kernel module name"), "\(error)")
                XCTAssertTrue("\(error)".contains("--method sysfs"), "\(error)")
            }
            XCTAssertNoThrow(try VFPlanner.plan(device: pf, count: 2, method: .sysfs, context: try ActivationFixtures.context(root)), name)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/etc/modprobe.d/sriov-wizard-igb;$(touch PWNED).conf"))
        assertNothingExecuted()
    }

    func testPassthroughVMIDMustBeDigits() throws {
        for vmid in ["100; rm -rf /", "$(id)", "100 101", "`id`", "１００", "-1", ""] {
            XCTAssertThrowsError(try PassthroughPlanner.plan(vmid: vmid, vf: "0000:01:10.0", context: try ActivationFixtures.context(root)), vmid) { error in
                XCTAssertTrue("\(error)".contains("a VM id is a number"), "\(error)")
            }
        }
    }

    /// What a person sees and may copy: each word a shell would split or expand is quoted.
    func testCommandsAreShownQuotedAndRunAsArgv() throws {
        XCTAssertEqual(ShellWords.display(["udevadm", "control", "--reload"]), "udevadm control --reload")
        XCTAssertEqual(ShellWords.display(["qm", "set", "100", "-hostpci0", "0000:01:10.0,pcie=1"]), "qm set 100 -hostpci0 0000:01:10.0,pcie=1")
        XCTAssertEqual(ShellWords.display(["ip", "x y", "it's", "$(id)", ""]), #"ip 'x y' 'it'\''s' '$(id)' ''"#)
        // The runner gets the words as they are: /bin/echo prints them back, unsplit and unexpanded.
        let words = ["x y", "'q'", "\"dq\"", ";", "$(touch PWNED)", "`touch PWNED2`", "a\nb"]
        let result = try LiveCommandRunner().run(["/bin/echo"] + words, timeout: 10, outputLimit: 1 << 16)
        XCTAssertEqual(String(decoding: result.stdout, as: UTF8.self), words.joined(separator: " ") + "\n")
        assertNothingExecuted()
    }
}
