import Foundation
import HostAccess
import XCTest
@testable import SRIOVCore

/// `ActivationError` is what was found, as a value; its words in both languages come from one place.
final class ActivationErrorTests: XCTestCase {
    var root = ""
    let pf = PCIAddress("0000:01:00.0")!

    override func setUpWithError() throws { root = try ActivationFixtures.sampleHost() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    func testAPlannerThrowsTheCaseWithWhatItFound() throws {
        let context = try ActivationFixtures.context(root)
        XCTAssertThrowsError(try VFPlanner.plan(device: pf, count: 8, method: .auto, context: context)) { error in
            XCTAssertEqual(error as? ActivationError, .tooManyVFs(pf, total: 7, inConfig: "8", asked: 8))
        }
        XCTAssertThrowsError(try PassthroughPlanner.plan(vmid: "1x", vf: "auto", context: context)) { error in
            XCTAssertEqual(error as? ActivationError, .invalidVMID("1x"))
            XCTAssertEqual((error as? ActivationError)?.message(.es), "--passthrough 1x: el id de una VM es un número (p. ej. 100); `qm list` los muestra.")
        }
    }

    /// A file the plan must read and cannot: the Spanish message has the Spanish errno words
    /// for every planner (the vfio and kernel command line planners used the English ones).
    func testAnUnreadableFileIsSaidInSpanishByEveryPlanner() throws {
        let path = root + VFIOModulesPlanner.path
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let context = try ActivationFixtures.context(root)
        XCTAssertThrowsError(try VFIOModulesPlanner.plan(context: context)) { error in
            guard case .unreadable(let file, let cause)? = error as? ActivationError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, VFIOModulesPlanner.path)
            XCTAssertEqual((error as? ActivationError)?.message(.es), "no se puede leer \(VFIOModulesPlanner.path): \(cause.spanishDescription)")
            XCTAssertNotEqual(cause.spanishDescription, cause.description)
        }
    }
}
