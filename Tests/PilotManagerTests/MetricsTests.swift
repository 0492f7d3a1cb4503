import Foundation
import PilotCore
import PilotStore
import Prometheus
import Testing
@testable import PilotManager

/// The journal-fed metrics on a recorded sequence of records, and the shipped Grafana dashboard
/// against the names the manager exports.
struct MetricsTests {
    /// `name{labels}` → value of an exposition.
    func samples(_ registry: PrometheusCollectorRegistry) -> [String: Double] {
        var out: [String: Double] = [:]
        for line in registry.emitToString().split(separator: "\n") where !line.hasPrefix("#") {
            guard let sp = line.lastIndex(of: " "), let v = Double(line[line.index(after: sp)...]) else { continue }
            out[String(line[..<sp])] = v
        }
        return out
    }

    /// A task row as the reactor writes it when the task ends.
    func row(_ id: Int64, _ state: TaskState, bound: Double, started: Double?, ended: Double?) -> TaskRow {
        var r = TaskRow(id: id, specID: 1, arrayIndex: nil, name: nil, priority: 0, state: state, submittedAt: 100)
        r.boundAt = bound; r.startedAt = started; r.endedAt = ended
        return r
    }

    @Test func journalRecordsBecomeCountersAndDurations() {
        let registry = PrometheusCollectorRegistry()
        let m = JournalMetrics(factory: MetricNames.factory(registry: registry))
        // Four tasks submitted at 100. Task 1 runs on a QPU lease with its start journaled; task 2 is
        // retried once, then starts and fails in one report (no start record); task 3 is canceled
        // while it waits; task 4 is still running at the end.
        m.apply([
            JournalRecord(seq: 1, at: 100, kind: .taskSubmitted, task: 1, taskEnd: 4, attempt: 0),
            JournalRecord(seq: 2, at: 101, kind: .taskBound, task: 1, attempt: 1),
            JournalRecord(seq: 3, at: 101, kind: .leaseAcquired, task: 1, attempt: 1, state: "ideal-sim"),
            JournalRecord(seq: 4, at: 102, kind: .taskBound, task: 2, attempt: 1),
        ], rows: [])
        m.apply([
            JournalRecord(seq: 5, at: 101.5, kind: .taskStarted, task: 1, attempt: 1),
            JournalRecord(seq: 6, at: 103, kind: .taskRetried, task: 2, attempt: 1),
        ], rows: [])
        m.apply([
            JournalRecord(seq: 7, at: 104.5, kind: .taskFinished, task: 1, attempt: 1),
            JournalRecord(seq: 8, at: 104.5, kind: .leaseReleased, task: 1, attempt: 1, state: "ideal-sim"),
            JournalRecord(seq: 9, at: 107, kind: .taskBound, task: 2, attempt: 2),
        ], rows: [row(1, .done, bound: 101, started: 101.5, ended: 104.5)])
        m.apply([
            JournalRecord(seq: 10, at: 108.5, kind: .taskFailed, task: 2, attempt: 2),
            JournalRecord(seq: 11, at: 109, kind: .taskCanceled, task: 3, attempt: 0),
            JournalRecord(seq: 12, at: 110, kind: .taskBound, task: 4, attempt: 1),
            JournalRecord(seq: 13, at: 110.5, kind: .taskStarted, task: 4, attempt: 1),
        ], rows: [row(2, .bound, bound: 107, started: nil, ended: nil), row(2, .failed, bound: 107, started: 107.25, ended: 108.25),
                  row(3, .canceled, bound: 0, started: nil, ended: nil)])
        m.commit(seconds: 0.002)
        let s = samples(registry)
        #expect(s["swiftpilot_tasks_submitted_total"] == 4)
        #expect(s["swiftpilot_tasks_bound_total"] == 4)
        #expect(s["swiftpilot_tasks_started_total"] == 3)
        #expect(s["swiftpilot_tasks_finished_total"] == 1)
        #expect(s["swiftpilot_tasks_failed_total"] == 1)
        #expect(s["swiftpilot_tasks_retried_total"] == 1)
        #expect(s["swiftpilot_tasks_canceled_total"] == 1)
        #expect(s["swiftpilot_journal_records_published_total"] == 13)
        // Queue waits: task 1 100→101 (1 s), task 2 100→102 (2 s) and after its retry 103→107 (4 s), task 4 10 s.
        #expect(s["swiftpilot_task_queue_wait_seconds_count"] == 4)
        #expect(s["swiftpilot_task_queue_wait_seconds_sum"] == 17)
        #expect(s[#"swiftpilot_task_queue_wait_seconds_bucket{le="1.0"}"#] == 1)
        // Bind latency: task 1 0.5 s (journal), task 2 0.25 s (its row), task 4 0.5 s (journal).
        #expect(s["swiftpilot_task_bind_latency_seconds_count"] == 3)
        #expect(s["swiftpilot_task_bind_latency_seconds_sum"] == 1.25)
        // Runtime by outcome, from the rows: 3 s done, 1 s failed.
        #expect(s[#"swiftpilot_task_runtime_seconds_sum{outcome="done"}"#] == 3)
        #expect(s[#"swiftpilot_task_runtime_seconds_count{outcome="failed"}"#] == 1)
        #expect(s[#"swiftpilot_task_runtime_seconds_sum{outcome="failed"}"#] == 1)
        // The QPU device: one lease, 1 s queue wait, 3 s on the device.
        #expect(s[#"swiftpilot_qpu_leases_acquired_total{device="ideal-sim"}"#] == 1)
        #expect(s[#"swiftpilot_qpu_queue_wait_seconds_sum{device="ideal-sim"}"#] == 1)
        #expect(s[#"swiftpilot_qpu_execution_seconds_sum{device="ideal-sim"}"#] == 3)
        #expect(s["swiftpilot_store_commit_seconds_count"] == 1)
        // Only the running task 4 is still tracked, and every id of the submission is consumed.
        #expect(m.trackedTasks == 1)
        #expect(m.trackedSubmissions == 0)
    }

    @Test func aTaskWaitingOnOthersWaitsFromItsReadyTimeAndIsCountedOnce() {
        let registry = PrometheusCollectorRegistry()
        let m = JournalMetrics(factory: MetricNames.factory(registry: registry))
        // Tasks 1–3 submitted at 100; 2 and 3 wait on 1. 2 is released at 105 and bound at 106;
        // 3 is canceled while it waits.
        m.apply([
            JournalRecord(seq: 1, at: 100, kind: .taskSubmitted, task: 1, taskEnd: 3, attempt: 0),
            JournalRecord(seq: 2, at: 100, kind: .taskWaiting, task: 2, attempt: 0),
            JournalRecord(seq: 3, at: 100, kind: .taskWaiting, task: 3, attempt: 0),
            JournalRecord(seq: 4, at: 101, kind: .taskBound, task: 1, attempt: 1),
        ], rows: [])
        #expect(m.trackedSubmissions == 0, "every id is bound or waiting")
        m.apply([
            JournalRecord(seq: 5, at: 104, kind: .taskFinished, task: 1, attempt: 1),
            JournalRecord(seq: 6, at: 105, kind: .taskReady, task: 2, attempt: 0),
            JournalRecord(seq: 7, at: 106, kind: .taskBound, task: 2, attempt: 1),
            JournalRecord(seq: 8, at: 106, kind: .taskCanceled, task: 3, attempt: 0),
        ], rows: [row(1, .done, bound: 101, started: 101, ended: 104), row(3, .canceled, bound: 0, started: nil, ended: nil)])
        let s = samples(registry)
        // 1 s for task 1, 1 s for task 2 (105 → 106), nothing for task 3.
        #expect(s["swiftpilot_task_queue_wait_seconds_count"] == 2)
        #expect(s["swiftpilot_task_queue_wait_seconds_sum"] == 2)
        #expect(m.trackedTasks == 1, "task 2 in flight only")
    }

    @Test func aMillionTaskArrayIsOneRangeUntilItsLastTaskIsBound() {
        let m = JournalMetrics(factory: MetricNames.factory(registry: PrometheusCollectorRegistry()))
        m.apply([JournalRecord(seq: 1, at: 0, kind: .taskSubmitted, task: 1, taskEnd: 1_000_000, attempt: 0)], rows: [])
        #expect(m.trackedSubmissions == 1)
        #expect(m.trackedTasks == 0)
        m.apply((1...999_999).map { JournalRecord(seq: $0 + 1, at: 1, kind: .taskBound, task: Int64($0), attempt: 1) }, rows: [])
        #expect(m.trackedSubmissions == 1)
        m.apply([JournalRecord(seq: 1_000_001, at: 1, kind: .taskBound, task: 1_000_000, attempt: 1)], rows: [])
        #expect(m.trackedSubmissions == 0)
    }

    @Test func submissionRangesFindIdsOfRangesAddedInAnyOrderAndForgetConsumedOnes() {
        var r = SubmissionRanges()
        r.add(first: 10, last: 19, at: 2)
        r.add(first: 1, last: 9, at: 1)
        r.add(first: 20, last: 20, at: 3)
        #expect(r.count == 3)
        #expect(r.consume(20) == 3)
        #expect(r.count == 2)
        #expect(r.consume(21) == nil)
        for id in Int64(10)...19 { #expect(r.consume(id) == 2) }
        #expect(r.consume(15) == nil, "every id of the range was consumed")
        for id in Int64(1)...9 { #expect(r.consume(id) == 1) }
        #expect(r.count == 0)
    }

    @Test func scrapeGaugesDropSeriesOfPilotsThatAreGone() {
        let registry = PrometheusCollectorRegistry()
        let g = ScrapeGauges(factory: MetricNames.factory(registry: registry))
        var r = ResourceReading()
        r.slots = ["p1": .init(coresFree: 3, coresUsed: 1), "p2": .init(coresFree: 0, coresUsed: 8)]
        r.pilotCluster = ["p1": "main", "p2": "site"]
        r.clusterPilots = ["main": ["running": 1], "site": ["running": 1, "pending": 2]]
        r.clusterAgents = ["site": ["active": 1]]
        r.devices = ["ibm": .init(inUse: 2, limit: 5)]
        r.agents = ["active": 2]
        g.update(.init(summary: nil, resources: r, journal: nil, subscribers: 1, inboxBacklog: 0, feedBacklog: 0))
        var s = samples(registry)
        #expect(s[#"swiftpilot_pilot_cores_used{pilot="p2",cluster="site"}"#] == 8)
        #expect(s[#"swiftpilot_cluster_pilots{cluster="site",state="pending"}"#] == 2)
        #expect(s[#"swiftpilot_cluster_agents{cluster="site",state="active"}"#] == 1)
        #expect(s[#"swiftpilot_qpu_leases_in_use{device="ibm"}"#] == 2 && s[#"swiftpilot_qpu_lease_limit{device="ibm"}"#] == 5)
        #expect(s[#"swiftpilot_agents{state="active"}"#] == 2 && s[#"swiftpilot_agents{state="lost"}"#] == 0)
        #expect(s["swiftpilot_event_stream_subscribers"] == 1)
        r.slots["p2"] = nil
        r.clusterPilots["site"] = nil
        g.update(.init(summary: nil, resources: r, journal: nil, subscribers: 0, inboxBacklog: 0, feedBacklog: 0))
        s = samples(registry)
        #expect(s[#"swiftpilot_pilot_cores_used{pilot="p2",cluster="site"}"#] == nil)
        #expect(s[#"swiftpilot_cluster_pilots{cluster="site",state="pending"}"#] == nil)
        #expect(s[#"swiftpilot_pilot_cores_free{pilot="p1",cluster="main"}"#] == 3)
    }

    @Test func everyMetricHasHelpText() {
        #expect(Set(MetricNames.help.keys) == MetricNames.all)
        let text = String(decoding: ManagerMetrics.addingHelp(Array("# TYPE swiftpilot_tasks gauge\nswiftpilot_tasks{state=\"done\"} 1.0\n".utf8)),
                          as: UTF8.self)
        #expect(text == "# HELP swiftpilot_tasks Tasks per state, as /v1/summary counts them.\n# TYPE swiftpilot_tasks gauge\nswiftpilot_tasks{state=\"done\"} 1.0\n")
    }

    @Test func dashboardQueriesOnlyExportedMetrics() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Clients/grafana/swiftpilot-dashboard.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(try JSONSerialization.jsonObject(with: Data(text.utf8)) is [String: Any])
        let names = Set(text.matches(of: /swiftpilot_[a-z_]+/).map { m -> String in
            var n = String(m.output)
            for suffix in ["_bucket", "_count", "_sum"] where n.hasSuffix(suffix) && !MetricNames.all.contains(n) { n.removeLast(suffix.count) }
            return n
        })
        #expect(!names.isEmpty)
        #expect(names.subtracting(MetricNames.all).isEmpty, "the dashboard queries \(names.subtracting(MetricNames.all).sorted())")
    }
}
