import Foundation
import PilotCore
import PilotStore

/// Carries committed write batches from the store writer to the metrics on a thread of their own.
///
/// The writer only appends the commit's batch (its arrays are shared, not copied) under a lock and
/// signals: the bookkeeping per record (dictionary updates, histogram buckets) happens here, off
/// the writer, the reactor and the event loops, so metrics never lengthen a commit or delay a reply.
final class MetricsFeed: @unchecked Sendable {  // all mutable state is under `condition`, or confined to the thread
    private struct Commit {
        var batch: WriteBatch
        var seconds: Double
    }

    private let condition = NSCondition()
    private var queue: [Commit] = []
    private var queuedRecords = 0
    private var stopping = false
    private var thread: Thread?
    private let stopped = DispatchSemaphore(value: 0)
    /// Touched only by the feed's thread.
    private let metrics: JournalMetrics

    init(metrics: JournalMetrics) {
        self.metrics = metrics
    }

    func start() {
        let t = Thread { [self] in self.run() }
        t.name = "pilot-metrics"
        thread = t
        t.start()
    }

    /// On the writer's thread, once per commit.
    func committed(_ batch: WriteBatch, seconds: Double) {
        condition.lock()
        queue.append(Commit(batch: batch, seconds: seconds))
        queuedRecords += batch.journal.count
        condition.signal()
        condition.unlock()
    }

    /// Records committed but not yet counted.
    var backlog: Int {
        condition.lock()
        defer { condition.unlock() }
        return queuedRecords
    }

    /// Counts what is queued, then ends the thread.
    func stop() {
        condition.lock()
        guard thread != nil, !stopping else { condition.unlock(); return }
        stopping = true
        condition.signal()
        condition.unlock()
        stopped.wait()
    }

    private func run() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopping { condition.wait() }
            let taken = queue
            let done = stopping
            queue.removeAll(keepingCapacity: true)
            condition.unlock()
            for c in taken {
                metrics.commit(seconds: c.seconds)
                metrics.apply(c.batch.journal, rows: c.batch.tasks)
            }
            // Counted only once applied, so a scrape that reads a backlog of 0 sees every record.
            condition.lock()
            queuedRecords -= taken.reduce(0) { $0 + $1.batch.journal.count }
            condition.unlock()
            if done { break }
        }
        stopped.signal()
    }
}
