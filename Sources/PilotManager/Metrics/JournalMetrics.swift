import CoreMetrics
import PilotCore
import PilotStore
import Prometheus

/// The counters and histograms that follow from committed write batches: each commit updates them
/// once, on the metrics feed's thread and nowhere else (hence no locks of its own).
///
/// Queue wait is ready → bound per attempt (a retried task waits again), from the journal's times.
/// Runtime is the agent's own started → ended of the task row the commit wrote with its terminal
/// record: a short task often reports its start and its end in one message, and then the journal
/// has no `task_started` record at all. Bind latency is bound → started: the journal's times when
/// a start was journaled, else the row's bound time (manager clock) to its start (agent clock).
/// Tasks that were already waiting or running when the manager started add no wait.
final class JournalMetrics {
    private let submitted, bound, started, finished, failed, retried, canceled, published: CoreMetrics.Counter
    private let queueWait, bindLatency: CoreMetrics.Timer
    private let runtime: [TaskState: CoreMetrics.Timer]
    private let commitLatency: CoreMetrics.Timer
    private let factory: PrometheusMetricsFactory
    private var leasesAcquired: [String: CoreMetrics.Counter] = [:]
    private var qpuQueueWait: [String: CoreMetrics.Timer] = [:]
    private var qpuExecution: [String: CoreMetrics.Timer] = [:]

    /// Per live task: when it became ready; when it was bound and how long it had waited; whether
    /// a start was journaled; the QPU device it holds a lease on. Entries leave when the attempt ends.
    private var readyAt: [Int64: Double] = [:]
    private var boundAt: [Int64: (at: Double, wait: Double)] = [:]
    private var startSeen: Set<Int64> = []
    private var device: [Int64: String] = [:]
    /// Tasks ended by the commit being applied, with their outcome; reused across commits.
    private var endedNow: [Int64: TaskState] = [:]

    init(factory: PrometheusMetricsFactory) {
        self.factory = factory
        func counter(_ n: String) -> CoreMetrics.Counter { CoreMetrics.Counter(label: n, dimensions: [], factory: factory) }
        submitted = counter(MetricNames.submitted)
        bound = counter(MetricNames.bound)
        started = counter(MetricNames.started)
        finished = counter(MetricNames.finished)
        failed = counter(MetricNames.failed)
        retried = counter(MetricNames.retried)
        canceled = counter(MetricNames.canceled)
        published = counter(MetricNames.journalPublished)
        queueWait = CoreMetrics.Timer(label: MetricNames.queueWait, dimensions: [], factory: factory)
        bindLatency = CoreMetrics.Timer(label: MetricNames.bindLatency, dimensions: [], factory: factory)
        var rt: [TaskState: CoreMetrics.Timer] = [:]
        for s in [TaskState.done, .failed] {
            rt[s] = CoreMetrics.Timer(label: MetricNames.runtime, dimensions: [("outcome", s.rawValue)], factory: factory)
        }
        runtime = rt
        commitLatency = CoreMetrics.Timer(label: MetricNames.commitLatency, dimensions: [], factory: factory)
    }

    /// Tasks whose attempt is in flight as far as the metrics know.
    var trackedTasks: Int { readyAt.count + boundAt.count + startSeen.count + device.count }

    func commit(seconds: Double) {
        commitLatency.recordNanoseconds(Self.nanos(seconds))
    }

    /// One commit: its journal records in order, then the rows it wrote for the tasks that ended.
    func apply(_ records: [JournalRecord], rows: [TaskRow]) {
        published.increment(by: records.count)
        for r in records { apply(r) }
        guard !endedNow.isEmpty else { return }
        // A group commit may hold several rows of one task: the last is the one that ended it.
        var last: [Int64: Int] = [:]
        for (i, row) in rows.enumerated() where endedNow[row.id] != nil { last[row.id] = i }
        for (id, outcome) in endedNow {
            if let i = last[id] { ended(rows[i], outcome) }
            endAttempt(id)
        }
        endedNow.removeAll(keepingCapacity: true)
    }

    private func apply(_ r: JournalRecord) {
        switch r.kind {
        case .taskSubmitted:
            guard let first = r.task else { return }
            let last = r.taskEnd ?? first
            submitted.increment(by: Int(last - first + 1))
            var id = first
            while id <= last { readyAt[id] = r.at; id += 1 }
        case .taskRetried:
            retried.increment()
            guard let t = r.task else { return }
            endAttempt(t)
            endedNow[t] = nil
            readyAt[t] = r.at
        case .taskBound:
            bound.increment()
            guard let t = r.task else { return }
            let wait = readyAt.removeValue(forKey: t).map { max(0, r.at - $0) }
            if let wait { queueWait.recordNanoseconds(Self.nanos(wait)) }
            boundAt[t] = (r.at, wait ?? -1)
        case .leaseAcquired:
            guard let t = r.task, let d = r.state else { return }
            device[t] = d
            leaseCounter(d).increment()
            if let w = boundAt[t]?.wait, w >= 0 { timer(&qpuQueueWait, MetricNames.qpuQueueWait, d).recordNanoseconds(Self.nanos(w)) }
        case .taskStarted:
            started.increment()
            guard let t = r.task else { return }
            if let b = boundAt[t] { bindLatency.recordNanoseconds(Self.nanos(max(0, r.at - b.at))) }
            startSeen.insert(t)
        case .taskFinished:
            finished.increment()
            if let t = r.task { endedNow[t] = .done }
        case .taskFailed:
            failed.increment()
            if let t = r.task { endedNow[t] = .failed }
        case .taskCanceled:
            canceled.increment()
            if let t = r.task { endedNow[t] = .canceled }
        default: break
        }
    }

    private func ended(_ row: TaskRow, _ outcome: TaskState) {
        guard let s = row.startedAt else { return }
        if !startSeen.contains(row.id) {
            // Started and ended in one report: the start is known only from the row.
            started.increment()
            if let b = row.boundAt { bindLatency.recordNanoseconds(Self.nanos(max(0, s - b))) }
        }
        // A canceled task's end arrives after its record, in a later report: no runtime for it.
        guard outcome != .canceled, let e = row.endedAt else { return }
        let ns = Self.nanos(max(0, e - s))
        runtime[outcome]?.recordNanoseconds(ns)
        if let d = device[row.id] { timer(&qpuExecution, MetricNames.qpuExecution, d).recordNanoseconds(ns) }
    }

    private func endAttempt(_ t: Int64) {
        readyAt[t] = nil
        boundAt[t] = nil
        startSeen.remove(t)
        device[t] = nil
    }

    private func leaseCounter(_ device: String) -> CoreMetrics.Counter {
        if let c = leasesAcquired[device] { return c }
        let c = CoreMetrics.Counter(label: MetricNames.leasesAcquired, dimensions: [("device", device)], factory: factory)
        leasesAcquired[device] = c
        return c
    }

    private func timer(_ table: inout [String: CoreMetrics.Timer], _ name: String, _ device: String) -> CoreMetrics.Timer {
        if let t = table[device] { return t }
        let t = CoreMetrics.Timer(label: name, dimensions: [("device", device)], factory: factory)
        table[device] = t
        return t
    }

    private static func nanos(_ seconds: Double) -> Int64 { Int64((seconds * 1e9).rounded()) }
}
