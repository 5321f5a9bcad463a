import XCTest
@testable import Reports

final class ReportNamespaceTests: XCTestCase {
    func testNamespaceIsVersioned() {
        XCTAssertTrue(ReportNamespace.uri.hasSuffix(":1"))
    }
}
