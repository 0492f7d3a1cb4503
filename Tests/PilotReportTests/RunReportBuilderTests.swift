import Foundation
import PilotCore
import Testing
@testable import PilotReport

@Suite("Run report from a journal")
struct RunReportBuilderTests {
    func actualBars(_ r: RunReport) -> Set<JournalFixture.ExpectedBar> {
        Set(r.bars.map { b in
            let row = r.rows[b.row]
            return JournalFixture.ExpectedBar(task: b.task, attempt: b.attempt, kind: row.kind.rawValue,
                                              owner: row.device ?? "\(row.agent ?? -1)", index: row.index, start: b.start, end: b.end)
        })
    }

    @Test func oneBarPerTaskAttemptAndSlotAtItsTimes() throws {
        let records = try JournalFixture.load("small-journal.jsonl")
        let report = try RunReportBuilder().build(records, now: 2e9)
        let diff = JournalFixture.differences(actualBars(report), try JournalFixture.expectedBars(records))
        #expect(diff.isEmpty, "\(diff.prefix(10))")
        // Task 1 held two cores and a GPU: three rows; the retried first attempt of task 3 has its own bar.
        #expect(report.bars.filter { $0.task == 1 }.count == 3)
        #expect(report.bars.filter { $0.task == 3 }.map(\.outcome).sorted() == ["done", "retried"])
        // Task 4 ended before a `task_started` was written: its start is the agent's, from the detail.
        #expect(report.bars.filter { $0.task == 4 }.map(\.start) == [1764800003.8, 1764800003.8])
        #expect(report.rows.map(\.label) == ["node-a core 0", "node-a core 1", "node-b core 0", "node-b core 1", "node-a gpu 0",
                                              "ideal-sim slot 0", "ideal-sim slot 1"])
        #expect(report.stageOrder == ["prep", "quantum"])
        #expect(report.failed == 0)
    }

    @Test func stagesQueueWaitsAndRuntimes() throws {
        let records = try JournalFixture.load("small-journal.jsonl")
        let report = try RunReportBuilder(window: ReportWindow(workflow: 1)).build(records, now: 2e9)
        #expect(!report.bars.contains { $0.task == 6 })
        let prep = try #require(report.stages.first { $0.name == "prep" })
        #expect(prep.tasks == 3)
        #expect(abs(prep.makespan - 2.3) < 1e-6)     // started 1.2, last ended 3.5
        let quantum = try #require(report.stages.first { $0.name == "quantum" })
        #expect(abs(quantum.qpuSeconds - (0.8 + 1.2)) < 1e-6)
        // Attempt 2 of task 3 waited from its retry (2.0) to its start (2.2), not from the submission.
        #expect(report.queueWaits.count == 6)
        #expect(report.queueWaits.contains { abs($0 - 0.2) < 1e-6 })
        #expect(report.runtimes.count == 6)
        let expected: [Double] = [2.0, 1.7, 0.7, 1.3, 0.8, 1.2]   // tasks 1, 2, 3 (two attempts), 4, 5
        let total: Double = report.runtimes.reduce(0, +)
        #expect(abs(total - expected.reduce(0, +)) < 1e-6)
    }

    @Test func utilisationCurvesIntegrateToTheBars() throws {
        let records = try JournalFixture.load("small-journal.jsonl")
        let report = try RunReportBuilder(window: ReportWindow(workflow: 1), bins: 37).build(records, now: 2e9)
        for curve in report.utilisation {
            let busy = report.bars.filter { report.rows[$0.row].kind == curve.kind }.reduce(0) { $0 + $1.end - $1.start }
            let area = curve.values.reduce(0, +) * curve.binWidth * Double(curve.capacity)
            // Bin edges near 1.7e9 s carry about 1e-7 s of rounding each.
            #expect(abs(area - busy) < 1e-4, "\(curve.kind)")
        }
        #expect(report.utilisation.first { $0.kind == .core }?.capacity == 4)
        #expect(report.utilisation.first { $0.kind == .qpu }?.capacity == 2)
        // With the device's size known, its idle slots count too.
        let sized = try RunReportBuilder(window: ReportWindow(workflow: 1), deviceSlots: ["ideal-sim": 4, "unused": 8]).build(records, now: 2e9)
        #expect(sized.utilisation.first { $0.kind == .qpu }?.capacity == 4)
        let quantum = try #require(sized.stages.first { $0.name == "quantum" })
        #expect(abs((quantum.qpuUtilisation ?? 0) - 2.0 / (4 * 1.2)) < 1e-4)   // 2 slot-seconds over 4 slots × 1.2 s
    }

    @Test func windowClipsBarsAndAnEmptyWindowIsAnError() throws {
        let records = try JournalFixture.load("small-journal.jsonl")
        let t0 = 1764800000.0
        let report = try RunReportBuilder(window: ReportWindow(since: t0 + 3.0, until: t0 + 4.0)).build(records, now: 2e9)
        #expect(report.bars.allSatisfy { $0.start >= t0 + 3.0 && $0.end <= t0 + 4.0 })
        #expect(Set(report.bars.map(\.task)) == [1, 3, 4, 5])
        #expect(throws: ReportError.self) { try RunReportBuilder(window: ReportWindow(since: t0 + 100)).build(records, now: 2e9) }
        #expect(throws: ReportError.self) { try RunReportBuilder(window: ReportWindow(workflow: 9)).build(records, now: 2e9) }
    }

    @Test func aTaskStillRunningEndsAtNow() throws {
        let records = try JournalFixture.load("small-journal.jsonl").filter { !($0.task == 5 && $0.kind == .taskFinished) }
        let report = try RunReportBuilder().build(records, now: 1764800009.0)
        let bars = report.bars.filter { $0.task == 5 }
        #expect(bars.count == 2 && bars.allSatisfy { $0.outcome == "running" && $0.end == 1764800009.0 })
    }
}
