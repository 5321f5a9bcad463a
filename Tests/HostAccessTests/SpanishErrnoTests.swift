import Glibc
import XCTest
@testable import HostAccess

/// Issue 13: errno texts under `--lang es` are Spanish words, not strerror's English.
final class SpanishErrnoTests: XCTestCase {
    func testTheErrnosTheToolMeetsHaveSpanishWords() {
        XCTAssertEqual(HostAccessError.spanishText(for: EBUSY), "Dispositivo o recurso ocupado (errno \(EBUSY))")
        XCTAssertEqual(HostAccessError.spanishText(for: ENOMEM), "No se puede asignar memoria (errno \(ENOMEM))")
        XCTAssertEqual(HostAccessError.io(path: "/sys/x", errno: EROFS).spanishDescription, "/sys/x: Sistema de archivos de solo lectura (errno \(EROFS))")
        XCTAssertEqual(HostAccessError.permissionDenied(path: "/proc/x").spanishDescription, "/proc/x: permiso denegado (ejecute como root para leerlo)")
        for code in [EACCES, ENOENT, EINVAL, ENOSPC, ERANGE, ENODEV] {
            XCTAssertNotEqual(HostAccessError.spanishText(for: code), HostAccessError.text(for: code), "errno \(code)")
        }
    }

    func testAnotherErrnoKeepsTheSystemTextWithItsName() {
        let text = HostAccessError.spanishText(for: EOVERFLOW)
        XCTAssertTrue(text.contains("EOVERFLOW"), text)
        XCTAssertTrue(text.hasPrefix(String(cString: strerror(EOVERFLOW))), text)
    }

    func testAMissingFileReadsInSpanish() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("h-es2-errno-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let machine = Machine(root: dir)
        XCTAssertEqual(machine.unreadableReasons("/proc/cmdline")?.es, "falta")
        XCTAssertEqual(machine.unreadableReasons("/proc/cmdline")?.en, machine.unreadableReason("/proc/cmdline"))
    }
}
