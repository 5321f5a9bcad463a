import Foundation
import Reports
import SRIOVCore
import XCTest

final class ReportHTMLTests: XCTestCase {
    func testHTMLIsOneSelfContainedHTML5File() throws {
        for tree in ReportFixture.trees {
            let html = try ReportHTML.render(try ReportFixture.report(root: tree.path))
            XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"), tree.name)
            XCTAssertTrue(html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"))
            XCTAssertTrue(html.contains("<style>"), "CSS is inline")
            XCTAssertEqual(html.components(separatedBy: "charset=").count, 2, "exactly one encoding declaration")
            // Nothing is fetched: no scripts, style sheets, images, fonts or frames from anywhere.
            for fetched in ["<script", "<link", "<img", "<iframe", "src=", "@import", "url(", "@font-face"] {
                XCTAssertFalse(html.contains(fetched), "\(tree.name): \(fetched)")
            }
        }
    }

    func testSummaryComesFirstWithEveryStageAndTheNextStep() throws {
        let report = try ReportFixture.report(root: ReportFixture.trees[1].path)
        let html = try ReportHTML.render(report)
        let order = ["id=\"summary\"", "class=\"stage-strip\"", "id=\"stages\"", "id=\"devices\"", "id=\"iommu\"", "id=\"guests\"",
                     "id=\"changes\"", "id=\"evidence\""]
        let positions = order.map { html.range(of: $0)?.lowerBound }
        XCTAssertFalse(positions.contains(nil), "\(zip(order, positions).filter { $0.1 == nil }.map(\.0))")
        XCTAssertEqual(positions.compactMap { $0 }, positions.compactMap { $0 }.sorted(), "sections in order")
        for stage in report.stages { XCTAssertTrue(html.contains("href=\"#stage-\(stage.id.rawValue)\"")) }
        if let first = report.nextSteps.first {
            let summaryEnd = try XCTUnwrap(html.range(of: "id=\"stages\"")).lowerBound
            XCTAssertTrue(html[..<summaryEnd].contains("class=\"hint\""), "the first fix is in the summary")
            XCTAssertTrue(html.contains(first.id))
        }
        XCTAssertTrue(html.contains("Windows has no in-box driver for most VFs"))
        XCTAssertTrue(html.contains("<details class=\"evidence\">"), "evidence is folded")
        XCTAssertTrue(html.contains("No changes recorded"))
    }

    func testLibxml2EscapesEverything() throws {
        let html = try ReportHTML.render(GoldenReport.model)
        XCTAssertTrue(html.contains("&lt;none&gt; &amp; \"quotes\""), "text is escaped by libxml2")
        XCTAssertFalse(html.contains("<tag>"))
        XCTAssertTrue(html.contains("<code>intel_iommu=on</code>"), "`code` in summaries becomes <code>")
    }

    func testSpanish() throws {
        let html = try ReportHTML.render(try ReportFixture.report(root: ReportFixture.trees[1].path, language: .es))
        XCTAssertTrue(html.contains("<html lang=\"es\">"))
        XCTAssertTrue(html.contains("Qué hacer ahora"))
        XCTAssertTrue(html.contains("Windows no incluye controlador para la mayoría de las VFs"))
    }
}
