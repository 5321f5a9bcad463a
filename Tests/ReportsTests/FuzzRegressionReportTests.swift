import XCTest
import HostAccess
import Reports

/// Replays the saved reports the XML fuzz target once crashed on
/// (Tests/Fixtures/fuzz-regressions/FuzzReportXML/, kept by Fuzz/run.sh): a refusal is fine.
final class FuzzRegressionReportTests: XCTestCase {
    func testReportXMLInputs() throws {
        let machine = Machine(root: "/")
        let dir = ReportFixture.repository + "/Tests/Fixtures/fuzz-regressions/FuzzReportXML"
        guard machine.isDirectory(dir) else { return }
        for name in try machine.list(dir).sorted() {
            _ = try? ReportXML.read(String(decoding: try machine.read(dir + "/" + name, limit: 16 << 20), as: UTF8.self))
        }
    }
}
