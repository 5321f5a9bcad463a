import XCTest
@testable import HostAccess

/// `ConfinedRoot.components` splits at `/` bytes (what the kernel does), drops empty names and
/// `.`, and keeps `..` and every other byte sequence as it is.
final class PathComponentsTests: XCTestCase {
    func testSplitsAtSlashesDroppingEmptyAndDot() {
        XCTAssertEqual(ConfinedRoot.components("/sys/bus/pci/devices/0000:01:00.0/config"),
                       ["sys", "bus", "pci", "devices", "0000:01:00.0", "config"])
        XCTAssertEqual(ConfinedRoot.components("//a/./b//../c/"), ["a", "b", "..", "c"])
        XCTAssertEqual(ConfinedRoot.components("a/.b/b./..."), ["a", ".b", "b.", "..."])
        XCTAssertEqual(ConfinedRoot.components("/"), [])
        XCTAssertEqual(ConfinedRoot.components("."), [])
        XCTAssertEqual(ConfinedRoot.components(""), [])
    }

    func testSlashBeforeACombiningMarkStillSeparates() {
        // As one Character "/\u{301}" is not "/"; to the kernel the byte 0x2f always is.
        XCTAssertEqual(ConfinedRoot.components("/a/\u{301}b/ñ"), ["a", "\u{301}b", "ñ"])
    }
}
