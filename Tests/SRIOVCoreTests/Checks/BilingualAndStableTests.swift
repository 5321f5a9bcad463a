import HostAccess
import XCTest
@testable import SRIOVCore

/// Every check on every real tree: each summary and hint exists in English and in Spanish,
/// the Spanish text is a translation (not a copy), and results are stable between two runs.
final class BilingualAndStableTests: XCTestCase {
    func roots() -> [String] {
        let fixtures = CheckTrees.packageDirectory + "/Tests/Fixtures/lab"
        var roots = [CheckTrees.sampleHost, CheckTrees.sampleHostVFs]
        for scenario in (try? Machine(root: "/").list(fixtures)) ?? [] {
            for phase in ["before", "after"] where Machine(root: "/").isDirectory(fixtures + "/" + scenario + "/" + phase) {
                roots.append(fixtures + "/" + scenario + "/" + phase)
            }
        }
        return roots
    }

    func testEveryResultIsBilingualOnEveryRealTree() throws {
        var seen = Set<String>()
        for root in roots() {
            let results = verifyStages(CheckTrees.context(root)).flatMap(\.checks)
            for r in results {
                seen.insert(r.id)
                XCTAssertFalse(r.summary.en.isEmpty, "\(root): \(r.id): English summary missing")
                XCTAssertFalse(r.summary.es.isEmpty, "\(root): \(r.id): Spanish summary missing")
                XCTAssertNotEqual(r.summary.en, r.summary.es, "\(root): \(r.id): summary not translated")
                XCTAssertEqual(r.hint.en.isEmpty, r.hint.es.isEmpty, "\(root): \(r.id): hint in one language only")
                if !r.hint.en.isEmpty {
                    XCTAssertNotEqual(r.hint.en, r.hint.es, "\(root): \(r.id): hint not translated")
                }
                XCTAssertEqual(r.stage, Stage.all.first { stage in stage.checks.contains { $0.id == r.id } }?.id,
                               "\(r.id) reports a stage it is not registered in")
            }
        }
        // Every registered check ran somewhere.
        let registered = Set(Stage.all.flatMap { $0.checks.map { $0.id } })
        XCTAssertEqual(seen, registered)
        XCTAssertEqual(registered.count, 18)
    }

    func testStagesAndIDsAreInTheDocumentedOrder() {
        XCTAssertEqual(Stage.all.map(\.id), [.prerequisites, .bios, .device, .activation])
        XCTAssertEqual(Stage.prerequisites.checks.map { $0.id },
                       ["cpu-virtualization", "iommu-active", "iommu-kernel-cmdline", "interrupt-remapping", "vfio-modules"])
        XCTAssertEqual(Stage.bios.checks.map { $0.id }, ["firmware-iommu-table", "ari-forwarding", "sriov-bios-setting"])
        XCTAssertEqual(Stage.device.checks.map { $0.id }, ["sriov-capability", "ari-capability", "vf-capacity", "driver-support"])
        XCTAssertEqual(Stage.activation.checks.map { $0.id },
                       ["vfs-enabled", "vf-driver-bound", "vfs-persistent", "vf-iommu-groups", "vf-mac-addresses", "vf-passthrough"])
    }

    func testResultsAreStable() {
        let root = CheckTrees.sampleHostVFs
        XCTAssertEqual(verifyStages(CheckTrees.context(root)), verifyStages(CheckTrees.context(root)))
    }
}
