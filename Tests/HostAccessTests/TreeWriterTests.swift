import Foundation
import XCTest
@testable import HostAccess

final class TreeWriterTests: XCTestCase {
    func testWritesFilesAndLinksUnderItsRoot() throws {
        let dir = NSTemporaryDirectory() + "tree-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let writer = try TreeWriter(root: dir)
        try writer.write([1, 2, 3], to: "/sys/bus/pci/devices/0000:01:00.0/config")
        try writer.symlink("../../../../bus/pci/drivers/igb", at: "/sys/bus/pci/devices/0000:01:00.0/driver")
        try writer.write("new\n", to: "/etc/x")
        try writer.write("newer\n", to: "/etc/x")  // replaced atomically
        let m = Machine(root: dir)
        XCTAssertEqual(try m.read("/sys/bus/pci/devices/0000:01:00.0/config"), [1, 2, 3])
        XCTAssertEqual(m.linkName("/sys/bus/pci/devices/0000:01:00.0/driver"), "igb")
        XCTAssertEqual(m.attribute("/etc/x"), "newer")
        XCTAssertFalse(m.exists("/etc/x.tmp-sriov-wizard"))
    }

    func testRefusesToEscapeItsRoot() throws {
        let dir = NSTemporaryDirectory() + "tree-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let writer = try TreeWriter(root: dir)
        XCTAssertThrowsError(try writer.write("x", to: "/etc/../../escape")) { error in
            guard case .invalidPath = error as? HostAccessError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try writer.symlink("/etc/passwd", at: "/../x"))
    }
}
