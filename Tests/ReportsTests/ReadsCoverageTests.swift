import Foundation
import HostAccess
import HostAccessTestSupport
import Reports
import SRIOVCore
import XCTest

/// Issue 12 item 4: `check` and the report read the host only through what the readers declare
/// (`HostReads.registry`), and `snapshot` copies what they declare: a new read that nobody
/// declared fails here, not on a user's snapshot.
final class ReadsCoverageTests: XCTestCase {
    static var trees: [(name: String, path: String)] {
        ReportFixture.trees + [("sample-host-igpu", ReportFixture.repository + "/Resources/sample-host-igpu")]
    }

    /// Everything `check` (every stage) and `report` (with redaction) do on `root`.
    static func accesses(root: String) throws -> [MachineAccess] {
        let recorder = RecordingObserver()
        let machine = Machine(root: root).observed(by: recorder)
        let context = CheckContext(machine: machine, inventory: try SysfsInventory.load(machine))
        var redactor = Redactor.forMachine(machine)
        _ = redactor.redact(ReportBuilder.build(context: context, stages: verifyStages(context), language: .en, time: nil))
        return recorder.accesses
    }

    /// The accesses the registry does not cover: a file read or a link read must be a declared
    /// path; a listing or a kind query may also be a directory on the way to one.
    static func undeclared(_ accesses: [MachineAccess]) -> [String] {
        let commands = Set(HostReads.allCommands)
        return accesses.compactMap { access -> String? in
            switch access {
            case .run(let argv):
                return commands.contains(argv) ? nil : "run \(argv)"
            case .read(let path), .readLink(let path):
                return HostReads.allPaths.contains(where: { $0.covers(path).exact }) ? nil : "\(access)"
            case .list(let path), .kind(let path):
                return HostReads.declarations(covering: path).isEmpty ? "\(access)" : nil
            }
        }
    }

    func testEveryReadOfCheckAndReportIsDeclared() throws {
        for (name, root) in Self.trees {
            let accesses = try Self.accesses(root: root)
            XCTAssertGreaterThan(accesses.count, 100, name)
            let missing = Self.undeclared(accesses)
            XCTAssertEqual(missing, [], "\(name): reads not declared in HostReads.registry")
        }
    }

    /// The check above would pass with a test that declares nothing: an undeclared read fails it.
    func testAnUndeclaredReadIsFound() throws {
        let missing = Self.undeclared([.read("/etc/not-declared-anywhere"), .run(["not-declared"]), .read("/proc/cmdline")])
        XCTAssertEqual(missing, ["read(\"/etc/not-declared-anywhere\")", "run [\"not-declared\"]"])
        // `{release}` inside a name: /boot/config-<release> (KernelCmdlinePlanner).
        XCTAssertTrue(HostPath.file("/boot/config-{release}").covers("/boot/config-6.8.12-4-pve").exact)
        XCTAssertFalse(HostPath.file("/boot/config-{release}").covers("/boot/config-").exact)
        XCTAssertFalse(HostPath.file("/boot/config-{release}").covers("/boot/grub").exact)
    }

    /// Every file, link and directory the tool read that exists in the tree is in a snapshot of it
    /// (but what is declared as never copied), and every command it ran was recorded.
    func testSnapshotOfTheTreeHoldsEveryReadPath() throws {
        for (name, root) in Self.trees {
            let accesses = try Self.accesses(root: root)
            let out = try ReportFixture.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: out) }
            _ = try Snapshot.take(from: Machine(root: root), to: out + "/snap", now: "2026-01-31T12:00:00Z")
            let source = Machine(root: root)
            let copy = Machine(root: out + "/snap")
            var lost: [String] = []
            for access in accesses {
                guard let path = access.path else { continue }
                if HostReads.allPaths.contains(where: { $0.covers(path).exact && !$0.isCopied }) { continue }
                let kind = source.kind(path, follow: false)
                guard kind == .regular || kind == .symlink || kind == .directory else { continue }
                if case .read = access, (try? source.read(path)) == nil { continue }  // unreadable: skipped with its reason
                if copy.kind(path, follow: false) == nil { lost.append("\(access)") }
            }
            XCTAssertEqual(lost, [], "\(name): read by the tool but not in its snapshot")
        }
    }
}
