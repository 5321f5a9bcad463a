import Foundation
import Glibc
import XCTest
@testable import HostAccess

/// Reads under a snapshot root never leave it: links out of the root (absolute, `../..`, a
/// directory on the way) are read as missing with their own reason, links inside it work,
/// and openat2 and the fallback walk give the same answers.
final class ConfinementTests: XCTestCase {
    var base = ""
    var root: String { base + "/root" }
    var outside: String { base + "/outside" }

    override func setUpWithError() throws {
        base = NSTemporaryDirectory() + "confine-\(UUID().uuidString)"
        let fm = FileManager.default
        for dir in ["/root/proc", "/root/etc/udev/rules.d", "/root/sys/bus/pci/drivers/igb", "/root/sys/devices/pci0000:00/0000:00:01.0",
                    "/root/sys/bus/pci/devices", "/outside/dir"] {
            try fm.createDirectory(atPath: base + dir, withIntermediateDirectories: true)
        }
        fm.createFile(atPath: outside + "/shadow", contents: Data("root:SECRET-HASH:19000::::::\n".utf8))
        fm.createFile(atPath: outside + "/dir/file", contents: Data("outside\n".utf8))
        fm.createFile(atPath: root + "/etc/hostname", contents: Data("inside\n".utf8))
        fm.createFile(atPath: root + "/sys/devices/pci0000:00/0000:00:01.0/vendor", contents: Data("0x8086\n".utf8))
        symlink(outside + "/shadow", root + "/proc/cmdline")                        // absolute, out
        symlink("../../../../../../../../" + outside + "/shadow", root + "/proc/version") // ../.. out
        symlink(outside + "/dir", root + "/etc/linkdir")                             // a directory out
        symlink("/etc/hostname", root + "/etc/absolute-inside")                      // absolute, exists inside
        symlink("../../../../etc/hostname", root + "/etc/udev/rules.d/clamped.rules") // climbs above, clamps inside
        symlink("../../../devices/pci0000:00/0000:00:01.0", root + "/sys/bus/pci/devices/0000:00:01.0") // relative, inside
        symlink("../../../bus/pci/drivers/igb", root + "/sys/devices/pci0000:00/0000:00:01.0/driver")
        symlink("loop", root + "/etc/loop")
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: base) }

    func machines() -> [(String, Machine)] {
        [("openat2", Machine(root: root, commands: NoCommands(), resolution: .openat2)),
         ("walk", Machine(root: root, commands: NoCommands(), resolution: .walk))]
    }

    func testTheKernelHereHasOpenat2AndTheWalkCanBeForced() {
        XCTAssertTrue(ConfinedRoot.kernelHasOpenat2, "this machine's kernel (>= 5.6) has openat2")
        XCTAssertEqual(Machine(root: root).confinement?.method, .openat2)
        XCTAssertEqual(Machine(root: root, resolution: .walk).confinement?.method, .walk)
        XCTAssertNil(Machine(root: "/").confinement, "the live root is not confined")
        setenv(ConfinedRoot.environmentVariable, "walk", 1)
        defer { unsetenv(ConfinedRoot.environmentVariable) }
        XCTAssertEqual(Machine(root: root).confinement?.method, .walk)
    }

    func testLinksOutOfTheRootAreReadAsMissingAndSaySo() throws {
        for (label, machine) in machines() {
            for path in ["/proc/cmdline", "/proc/version", "/etc/linkdir/file"] {
                XCTAssertThrowsError(try machine.read(path), "\(label) \(path)") { error in
                    XCTAssertEqual(error as? HostAccessError, .outsideRoot(path: path, root: root), "\(label) \(path)")
                }
                XCTAssertNil(machine.attribute(path), label)
                XCTAssertNil(machine.kind(path), label)
                let reason = try XCTUnwrap(machine.unreadableReason(path))
                XCTAssertTrue(reason.hasPrefix("missing: a symbolic link on its way leads out of the root"), "\(label): \(reason)")
            }
            XCTAssertThrowsError(try machine.list("/etc/linkdir"), label) { error in
                XCTAssertEqual(error as? HostAccessError, .outsideRoot(path: "/etc/linkdir", root: root), label)
            }
            // A missing file is just missing (its own reason, not the link one).
            XCTAssertEqual(machine.unreadableReason("/proc/nothing"), "missing", label)
        }
    }

    func testLinksAreResolvedInsideTheRootAsIfItWereSlash() throws {
        for (label, machine) in machines() {
            XCTAssertEqual(try machine.readText("/etc/absolute-inside"), "inside\n", label)
            XCTAssertEqual(try machine.readText("/etc/udev/rules.d/clamped.rules"), "inside\n", label)
            XCTAssertEqual(try machine.readText("/etc/../../../etc/hostname"), "inside\n", "\(label): .. clamps at the root")
            XCTAssertEqual(machine.attribute("/sys/bus/pci/devices/0000:00:01.0/vendor"), "0x8086", label)
            XCTAssertEqual(try machine.list("/sys/bus/pci/devices/0000:00:01.0"), ["driver", "vendor"], label)
            XCTAssertEqual(machine.linkName("/sys/bus/pci/devices/0000:00:01.0/driver"), "igb", label)
            XCTAssertEqual(machine.kind("/sys/bus/pci/devices/0000:00:01.0/driver"), .directory, label)
            XCTAssertEqual(machine.kind("/sys/bus/pci/devices/0000:00:01.0", follow: false), .symlink, label)
            // The text of a link is data: reading it is fine, also when it points out.
            XCTAssertEqual(try machine.linkTarget("/proc/cmdline"), outside + "/shadow", label)
            XCTAssertThrowsError(try machine.linkTarget("/etc/loop"), label) { error in
                XCTAssertEqual(error as? HostAccessError, .symlinkLoop(path: "/etc/loop"), label)
            }
            XCTAssertThrowsError(try machine.read("/etc/loop"), label) { error in
                XCTAssertEqual(error as? HostAccessError, .symlinkLoop(path: "/etc/loop"), label)
            }
        }
    }

    /// Both resolutions answer every path of the tree the same way (bytes or error).
    func testOpenat2AndTheWalkAgreeOnEveryPath() throws {
        let paths = ["/", "/proc", "/proc/cmdline", "/proc/version", "/etc/hostname", "/etc/absolute-inside", "/etc/linkdir",
                     "/etc/linkdir/file", "/etc/loop", "/etc/udev/rules.d/clamped.rules", "/sys/bus/pci/devices/0000:00:01.0/vendor",
                     "/sys/bus/pci/devices/0000:00:01.0/driver", "/nonexistent/x", "/etc/hostname/x", "/../../etc/hostname"]
        let (a, b) = (machines()[0].1, machines()[1].1)
        func answer(_ m: Machine, _ p: String) -> String {
            let read: String
            do { read = String(decoding: try m.read(p), as: UTF8.self) } catch { read = "\(error)" }
            let list: String
            do { list = try m.list(p).joined(separator: ",") } catch { list = "\(error)" }
            return [read, list, "\(String(describing: m.kind(p)))", "\(String(describing: m.kind(p, follow: false)))"].joined(separator: " | ")
        }
        for p in paths { XCTAssertEqual(answer(a, p), answer(b, p), p) }
    }

    /// The live root reads host paths as they are (no confinement, same answers as before).
    func testLiveRootReadsAsBefore() throws {
        let live = Machine(root: "/")
        XCTAssertEqual(try live.readText(root + "/etc/absolute-inside"), try String(contentsOfFile: "/etc/hostname", encoding: .utf8))
        XCTAssertEqual(try live.readText(root + "/proc/cmdline"), "root:SECRET-HASH:19000::::::\n")
    }
}
