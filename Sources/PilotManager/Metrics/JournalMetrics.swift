import CoreMetrics
import PilotCore
import PilotStore
import Prometheus

/// The counters and histograms that follow from committed write batches: each commit updates them
/// once, on the metrics feed's thread and nowhere else (hence no locks of its own).
///
/// Queue wait is ready → bound per attempt (a retried task waits again; a task submitted waiting on
/// others is ready at its `task_ready`), from the journal's times.
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

    /// When each submission's tasks became ready, as id ranges: a million-task array is one entry,
    /// not a million (filling and growing a table per submitted id was most of this thread's time).
    private var submissions = SubmissionRanges()
    /// Tasks that became ready at another moment than their submission (released by their
    /// dependencies, or retried), until bound.
    private var readyAt = IDMap<Double>()
    /// Tasks submitted waiting on others (`task_waiting`) and not yet ready: their submission's
    /// ready time was given back when they were submitted.
    private var waiting = IDMap<Bool>()
    /// Per attempt in flight, from its binding to its end.
    private struct InFlight {
        var boundAt: Double
        /// Queue wait, -1 when unknown.
        var wait: Double
        /// A `task_started` record was seen.
        var started = false
        /// The QPU device it holds a lease on.
        var device: String?
    }
    private var inFlight = IDMap<InFlight>()
    /// Tasks ended by the commit being applied, with their outcome.
    private var endedNow = IDMap<TaskState>()

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

    /// Tasks whose attempt is in flight, or whose ready time is held, as far as the metrics know.
    var trackedTasks: Int { readyAt.count + waiting.count + inFlight.count }

    /// Submission ranges still holding tasks that were never bound.
    var trackedSubmissions: Int { submissions.count }

    func commit(seconds: Double) {
        commitLatency.recordNanoseconds(Self.nanos(seconds))
    }

    /// One commit: its journal records in order, then the rows it wrote for the tasks that ended.
    func apply(_ records: [JournalRecord], rows: [TaskRow]) {
        published.increment(by: records.count)
        for r in records { apply(r) }
        guard !endedNow.isEmpty else { return }
        // A group commit may hold several rows of one task: the last is the one that ended it.
        for row in rows.reversed() {
            guard let outcome = endedNow.removeValue(forKey: row.id) else { continue }
            ended(row, outcome)
            inFlight[row.id] = nil
            if endedNow.isEmpty { return }
        }
        for id in endedNow.keys {
            inFlight[id] = nil
            endedNow[id] = nil
        }
    }

    private func apply(_ r: JournalRecord) {
        switch r.kind {
        case .taskSubmitted:
            guard let first = r.task else { return }
            let last = r.taskEnd ?? first
            submitted.increment(by: Int(last - first + 1))
            submissions.add(first: first, last: last, at: r.at)
        case .taskWaiting:
            // Ready only once its dependencies end (`task_ready`), not at its submission.
            guard let t = r.task else { return }
            // Its submission's ready time is given back once: not again if it waited before.
            let readyBefore = readyAt.removeValue(forKey: t) != nil
            if (r.attempt ?? 0) == 0, waiting[t] == nil, !readyBefore { submissions.consume(t) }
            waiting[t] = true
        case .taskReady:
            guard let t = r.task else { return }
            waiting[t] = nil
            readyAt[t] = r.at
        case .taskRetried:
            retried.increment()
            guard let t = r.task else { return }
            inFlight[t] = nil
            endedNow[t] = nil
            readyAt[t] = r.at
        case .taskBound:
            bound.increment()
            guard let t = r.task else { return }
            let ready = readyAt.removeValue(forKey: t) ?? (r.attempt == 1 ? submissions.consume(t) : nil)
            let wait = ready.map { max(0, r.at - $0) }
            if let wait { queueWait.recordNanoseconds(Self.nanos(wait)) }
            inFlight[t] = InFlight(boundAt: r.at, wait: wait ?? -1)
        case .leaseAcquired:
            guard let t = r.task, let d = r.state else { return }
            inFlight[t]?.device = d
            leaseCounter(d).increment()
            if let w = inFlight[t]?.wait, w >= 0 { timer(&qpuQueueWait, MetricNames.qpuQueueWait, d).recordNanoseconds(Self.nanos(w)) }
        case .taskStarted:
            started.increment()
            guard let t = r.task, var f = inFlight[t] else { return }
            bindLatency.recordNanoseconds(Self.nanos(max(0, r.at - f.boundAt)))
            f.started = true
            inFlight[t] = f
        case .taskFinished:
            finished.increment()
            if let t = r.task { ending(t, r, .done) }
        case .taskFailed:
            failed.increment()
            if let t = r.task { ending(t, r, .failed) }
        case .taskCanceled:
            canceled.increment()
            if let t = r.task { ending(t, r, .canceled) }
        default: break
        }
    }

    /// A terminal record. A task that ends without ever being bound gives its submission's ready
    /// time back; one that was waiting on dependencies or retried drops its own.
    private func ending(_ t: Int64, _ r: JournalRecord, _ outcome: TaskState) {
        endedNow[t] = outcome
        let hadReady = readyAt.removeValue(forKey: t) != nil
        let wasWaiting = waiting.removeValue(forKey: t) != nil
        if !hadReady, !wasWaiting, (r.attempt ?? 0) == 0 { submissions.consume(t) }
    }

    private func ended(_ row: TaskRow, _ outcome: TaskState) {
        guard let s = row.startedAt else { return }
        let f = inFlight[row.id]
        if f?.started != true {
            // Started and ended in one report: the start is known only from the row.
            started.increment()
            if let b = row.boundAt { bindLatency.recordNanoseconds(Self.nanos(max(0, s - b))) }
        }
        // A canceled task's end arrives after its record, in a later report: no runtime for it.
        guard outcome != .canceled, let e = row.endedAt else { return }
        let ns = Self.nanos(max(0, e - s))
        runtime[outcome]?.recordNanoseconds(ns)
        if let d = f?.device { timer(&qpuExecution, MetricNames.qpuExecution, d).recordNanoseconds(ns) }
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
