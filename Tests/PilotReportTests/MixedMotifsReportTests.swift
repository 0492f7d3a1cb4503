import Foundation
import PilotCore
import Testing
@testable import PilotReport

/// A journal recorded from `pilot run Examples/mixed-motifs.yaml` (debug build, 2 cores; the
/// variational stage cut to its first 150 of 6318 tasks to keep the fixture small).
@Suite("Run report of the mixed-motif run")
struct MixedMotifsReportTests {
    @Test func oneBarPerTaskAndSlotInTheRightRowsAndTimes() throws {
        let records = try JournalFixture.load("mixed-motifs-journal.jsonl")
        let report = try RunReportBuilder(window: ReportWindow(workflow: 1)).build(records, now: 2e9)
        let expected = try JournalFixture.expectedBars(records, workflow: 1)
        let actual = Set(report.bars.map { b in
            let row = report.rows[b.row]
            return JournalFixture.ExpectedBar(task: b.task, attempt: b.attempt, kind: row.kind.rawValue,
                                              owner: row.device ?? "\(row.agent ?? -1)", index: row.index, start: b.start, end: b.end)
        })
        let diff = JournalFixture.differences(actual, expected)
        #expect(diff.isEmpty, "\(diff.prefix(10))")
        #expect(report.bars.count == expected.count)
        // Every task that finished has its bars: 16 + 6 + 1 + 150 + 16.
        let finished = Set(records.filter { $0.kind == .taskFinished }.compactMap(\.task))
        #expect(Set(report.bars.map(\.task)) == finished)
        #expect(finished.count == 189)
        #expect(Set(report.stageOrder) == ["prep", "cut", "coupled", "variational", "stream"])
        // The coupled stage is one gang task of two ranks: one bar on each of the two cores.
        let coupled = report.bars.filter { $0.stage == "coupled" }
        #expect(coupled.count == 2 && Set(coupled.map { report.rows[$0.row].index }).count == 2)
        // Cut sub-experiments hold a slot of the 7-qubit device as well as a core.
        #expect(report.bars.contains { $0.stage == "cut" && report.rows[$0.row].device == "small-7" })
        #expect(report.stages.map(\.tasks).reduce(0, +) == 189)
        // The Gantt draws every bar.
        let svg = GanttSVG().render(report)
        #expect(svg.components(separatedBy: "<rect class=\"bar ").count - 1 == report.bars.count)
    }
}
