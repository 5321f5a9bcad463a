import XCTest
import HostAccess
@testable import SRIOVCore

/// `ari-capability`: ARI on the PF and whether the VFs fit without it.
final class ARICapabilityCheckTests: XCTestCase {
    typealias T = VFCheckTrees

    func testNoARIFailsWhenVFsLieBeyondTheDeviceAndIsANoteWhenTheyFit() throws {
        let igbLike = try T.only(ARICapabilityCheck.run(T.context(functions: [T.pf(ari: false)])))
        XCTAssertEqual(igbLike.level, .fail)
        T.assertEvidence(igbLike, "beyond device 00")
        let nvmeLike = try T.only(ARICapabilityCheck.run(T.context(functions: [T.pf(total: 4, offset: 1, stride: 1, ari: false)])))
        XCTAssertEqual(nvmeLike.level, .note)
        T.assertEvidence(nvmeLike, "all within device 00 (functions 1-7)")
        T.assertComplete([igbLike, nvmeLike])
    }
}
