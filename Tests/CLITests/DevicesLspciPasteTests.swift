import Foundation
import XCTest

/// `devices --lspci-file` on pastes, run as a user would: the default view of an iGPU listing
/// without capabilities, a paste cut down to the SR-IOV capability, the virtfn listing.
final class DevicesLspciPasteTests: XCTestCase {
    static let gpu = CLI.repository + "/../shared/corpus/gpu/"

    func corpusFile(_ name: String) throws -> String {
        let path = Self.gpu + name
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("the GPU corpus is missing at \(path)") }
        return path
    }

    func testGrepVGAListingShowsThePFAndItsVFs() throws {
        let file = try corpusFile("issue351-adls-4680-nnk-grep-vga-1.txt")
        let result = try CLI.run(["devices", "--lspci-file", file])
        XCTAssertEqual(result.status, 0, result.stderrText)
        let out = result.stdoutText
        XCTAssertFalse(out.contains("No SR-IOV capable device found"), out)
        XCTAssertTrue(out.contains("0000:00:02.0   PF    8086:4680  -       7/?"), out)
        for fn in 1...7 { XCTAssertTrue(out.contains(" 0000:00:02.\(fn)  VF"), out) }
        XCTAssertTrue(out.contains("\nnote: 00:02.1-00:02.7 taken as VFs of 00:02.0 from the layout"), out)
        XCTAssertFalse(out.contains("warning:"), out)
        // The same note in Spanish with --lang es (a note, not a warning about the input).
        let es = try CLI.run(["devices", "--lspci-file", file, "--lang", "es"])
        XCTAssertEqual(es.status, 0, es.stderrText)
        XCTAssertTrue(es.stdoutText.contains("\nnota: 00:02.1-00:02.7 tomadas como VFs de 00:02.0 por la disposición: los gráficos integrados de Intel"), es.stdoutText)
        let doc = try CLI.json(["devices", "--lspci-file", file, "--format", "json"])
        let devices = try XCTUnwrap(doc["devices"] as? [[String: Any]])
        XCTAssertEqual(devices.count, 8)
        XCTAssertTrue(devices.allSatisfy { $0["roleInferredFrom"] as? String == "layout" })
        XCTAssertEqual(devices.first?["virtfns"] as? [String], (1...7).map { "0000:00:02.\($0)" })
    }

    func testFragmentShowsItsSRIOVFigures() throws {
        let file = CLI.repository + "/../shared/corpus/lspci/iwl-82599es-ixgbe-fragment-1.txt"
        guard FileManager.default.fileExists(atPath: file) else { throw XCTSkip("corpus missing") }
        let result = try CLI.run(["devices", "--lspci-file", file])
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertTrue(result.stdoutText.contains("SR-IOV capability in lines without a device line (line 1, address unknown): TotalVFs 64, NumVFs 0, VF device ID 10ed."), result.stdoutText)
        let es = try CLI.run(["devices", "--lspci-file", file, "--lang", "es"])
        XCTAssertTrue(es.stdoutText.contains("Capacidad SR-IOV en líneas sin línea de dispositivo (línea 1, dirección desconocida): TotalVFs 64"), es.stdoutText)
        let doc = try CLI.json(["devices", "--lspci-file", file, "--format", "json"])
        let unaddressed = try XCTUnwrap(doc["unaddressed"] as? [[String: Any]])
        let sriov = try XCTUnwrap(unaddressed.first?["sriov"] as? [String: Any])
        XCTAssertEqual(sriov["totalVFs"] as? Int, 64)
        XCTAssertEqual(sriov["vfDeviceId"] as? String, "10ed")
    }

    func testVirtfnListingIsRefusedWithItsLine() throws {
        let file = try corpusFile("nvgpuubuntu-a6000-virtfn-sysfs-2.txt")
        let result = try CLI.run(["devices", "--lspci-file", file])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderrText.contains("nvgpuubuntu-a6000-virtfn-sysfs-2.txt:3: this is a listing of sysfs virtfn links"), result.stderrText)
    }
}
