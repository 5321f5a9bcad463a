import Foundation
import HostAccess
@testable import SRIOVCore
import XCTest

final class HostIdentityTests: XCTestCase {
    var directories: [String] = []
    override func tearDown() { for d in directories { try? FileManager.default.removeItem(atPath: d) } }

    /// A machine root holding only the given files (host path -> content).
    func machine(_ files: [String: String]) throws -> Machine {
        let root = NSTemporaryDirectory() + "host-identity-\(UUID().uuidString)"
        directories.append(root)
        let writer = try TreeWriter(root: root)
        for (path, text) in files { try writer.write(text, to: path) }
        return Machine(root: root, commands: NoCommands())
    }

    let machineID = "4f9c2a7d1e3b4c5da6b7c8d9e0f1a2b3"

    func testSameMachineIDGivesTheSameIDDifferentOnesDiffer() throws {
        let a = try XCTUnwrap(HostIdentity.read(try machine(["/etc/machine-id": machineID + "\n"])))
        let b = try XCTUnwrap(HostIdentity.read(try machine(["/etc/machine-id": machineID + "\n", "/etc/hostname": "pve\n"])))
        let c = try XCTUnwrap(HostIdentity.read(try machine(["/etc/machine-id": "0123456789abcdef0123456789abcdef\n"])))
        XCTAssertEqual(a.id, b.id)
        XCTAssertEqual(a.source, .machineID)
        XCTAssertNotEqual(a.id, c.id)
        XCTAssertTrue(HostIdentity.isValidID(a.id), a.id)
        XCTAssertFalse(a.id.contains(machineID))
    }

    func testTheIDIsTheSaltedSHA256() throws {
        // sha256("sriov-wizard host id v1 (urn:sriov-wizard:report:1)\n" + machine-id), computed by coreutils.
        let expected = try Machine(root: "/").run(["sh", "-c", "printf '%s\\n%s' \"$0\" \"$1\" | sha256sum", HostIdentity.salt, machineID])
            .stdoutText.split(separator: " ").first.map(String.init)
        XCTAssertEqual(HostIdentity.hash(machineID), expected)
        XCTAssertNotEqual(HostIdentity.hash(machineID), try Machine(root: "/").run(["sh", "-c", "printf '%s' \"$0\" | sha256sum", machineID])
            .stdoutText.split(separator: " ").first.map(String.init), "unsalted: a table of machine-ids would reverse it")
    }

    func testSHA256MatchesTheFIPSExamples() {
        // FIPS 180-4 / NIST CSRC examples: one block, empty, two blocks (padding across a block).
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex([]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex([UInt8](repeating: 0x61, count: 1000)),
                       "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    func testProductUUIDWhenThereIsNoMachineID() throws {
        let uuid = "4C4C4544-0042-3510-8051-B7C04F333532"
        let fromUUID = try XCTUnwrap(HostIdentity.read(try machine(["/sys/class/dmi/id/product_uuid": uuid + "\n"])))
        XCTAssertEqual(fromUUID.source, .productUUID)
        XCTAssertEqual(fromUUID.id, HostIdentity.hash(uuid.lowercased()))
        // machine-id wins over the UUID.
        let both = try XCTUnwrap(HostIdentity.read(try machine(["/etc/machine-id": machineID, "/sys/class/dmi/id/product_uuid": uuid])))
        XCTAssertEqual(both.id, HostIdentity.hash(machineID))
    }

    func testValuesThatIdentifyNothingAreNotUsed() throws {
        XCTAssertNil(HostIdentity.read(try machine(["/etc/machine-id": "uninitialized\n"])))
        XCTAssertNil(HostIdentity.read(try machine(["/etc/machine-id": String(repeating: "0", count: 32)])))
        XCTAssertNil(HostIdentity.read(try machine(["/sys/class/dmi/id/product_uuid": "00000000-0000-0000-0000-000000000000"])))
        XCTAssertNil(HostIdentity.read(try machine(["/sys/class/dmi/id/product_uuid": "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF"])))
        XCTAssertNil(HostIdentity.read(try machine([:])))
    }

    func testASnapshotRecordsTheHashNotTheMachineID() throws {
        let source = try machine(["/etc/machine-id": machineID + "\n", "/proc/cmdline": "quiet\n"])
        let out = NSTemporaryDirectory() + "host-identity-snap-\(UUID().uuidString)"
        directories.append(out)
        _ = try Snapshot.take(from: source, to: out, now: "2026-01-01T00:00:00Z")
        let snapshot = Machine(root: out, commands: NoCommands())
        XCTAssertEqual(snapshot.attribute(HostIdentity.recordPath), HostIdentity.hash(machineID))
        XCTAssertEqual(HostIdentity.read(snapshot)?.source, .snapshotRecord)
        XCTAssertEqual(HostIdentity.read(snapshot)?.id, HostIdentity.read(source)?.id)
        XCTAssertFalse(snapshot.exists("/etc/machine-id"))
        let everything = try Machine(root: "/").run(["grep", "-rl", machineID, out])
        XCTAssertEqual(everything.status, 1, "raw machine-id found in: " + everything.stdoutText)
    }

    func testARecordThatIsNotAHashIsIgnored() throws {
        let m = try machine([HostIdentity.recordPath: "not-a-hash\n", "/etc/machine-id": machineID])
        XCTAssertEqual(HostIdentity.read(m)?.source, .machineID)
    }
}
