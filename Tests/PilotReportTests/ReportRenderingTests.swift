import Foundation
import PilotCore
import Testing
@testable import PilotReport

/// Golden output: the renderers are deterministic, so the small journal's Gantt must match the file
/// byte for byte. `PILOT_UPDATE_GOLDEN=1` rewrites the golden file after an intended change.
@Suite("Run report rendering")
struct ReportRenderingTests {
    @Test func ganttMatchesTheGoldenSVG() throws {
        let report = try RunReportBuilder(window: ReportWindow(workflow: 1), title: "demo").build(try JournalFixture.load("small-journal.jsonl"), now: 2e9)
        let svg = GanttSVG().render(report)
        if ProcessInfo.processInfo.environment["PILOT_UPDATE_GOLDEN"] == "1" {
            let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/small-gantt.svg")
            try svg.write(to: path, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOf: try #require(JournalFixture.url("small-gantt.svg")), encoding: .utf8)
        #expect(svg == golden)
        #expect(svg.components(separatedBy: "class=\"bar ").count - 1 == report.bars.count)
    }

    @Test func htmlIsSelfContained() throws {
        let report = try RunReportBuilder(title: "a <b> & c").build(try JournalFixture.load("small-journal.jsonl"), now: 2e9)
        let html = ReportHTML().render(report)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<title>a &lt;b&gt; &amp; c</title>"))
        // Nothing fetched: no script, no external reference of any kind.
        for needle in ["<script", "src=", "href=", "@import", "url("] { #expect(!html.contains(needle), "\(needle)") }
        #expect(html.contains("class=\"utilisation\"") && html.contains("class=\"stages\"") && html.contains("class=\"histogram\""))
        for stage in ["prep", "quantum"] { #expect(html.contains("<td>\(stage)</td>")) }
    }
}
