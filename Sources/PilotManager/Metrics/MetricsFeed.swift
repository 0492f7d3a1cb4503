import Foundation
import PilotCore
import PilotStore

/// Carries committed write batches from the store writer to the metrics on a thread of their own.
///
/// The writer only appends the commit's batch (its arrays are shared, not copied) under a lock,
/// and does not wake the feed: a wake-up per commit (a futex call and a context switch on each
/// side) cost more than the counting itself on a 2-core box. The feed wakes on its own every
/// `interval`, when a scrape asks for everything so far (`flush`), or when the queue holds
/// `wakeRecords`; it then counts whole runs of commits at once, off the writer, the reactor and
/// the event loops.
final class MetricsFeed: @unchecked Sendable {  // all mutable state is under `condition`, or confined to the thread
    private struct Commit {
        var batch: WriteBatch
        var seconds: Double
    }

    static let interval = 0.1
    static let wakeRecords = 16_384

    private let condition = NSCondition()
    private var queue: [Commit] = []
    /// Commits counted and not yet released: the writer releases them on its next commit, so the
    /// memory goes back to the thread (and malloc arena) that allocated it and is reused there hot.
    private var counted: [Commit] = []
    private var queuedRecords = 0
    private var flushers: [CheckedContinuation<Void, Never>] = []
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
        // Only a burst large enough to matter for memory wakes the feed early.
        if queuedRecords >= Self.wakeRecords { condition.signal() }
        var release: [Commit] = []
        if !counted.isEmpty { swap(&release, &counted) }
        condition.unlock()
        // Freed here, outside the lock.
        release.removeAll()
    }

    /// Records committed but not yet counted.
    var backlog: Int {
        condition.lock()
        defer { condition.unlock() }
        return queuedRecords
    }

    /// Returns once everything committed before the call is counted: a scrape then reflects it.
    func flush() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            condition.lock()
            if thread == nil || stopping {
                condition.unlock()
                c.resume()
                return
            }
            flushers.append(c)
            condition.signal()
            condition.unlock()
        }
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
        KernelThreadName.set("pilot-metrics")
        while true {
            condition.lock()
            if flushers.isEmpty && !stopping && queuedRecords < Self.wakeRecords {
                _ = condition.wait(until: Date(timeIntervalSinceNow: Self.interval))
            }
            let taken = queue
            let waiting = flushers
            let done = stopping
            queue.removeAll(keepingCapacity: true)
            flushers.removeAll()
            condition.unlock()
            for c in taken {
                metrics.commit(seconds: c.seconds)
                metrics.apply(c.batch.journal, rows: c.batch.tasks)
            }
            // Counted only once applied, so a scrape that reads a backlog of 0 sees every record.
            condition.lock()
            queuedRecords -= taken.reduce(0) { $0 + $1.batch.journal.count }
            counted.append(contentsOf: taken)
            condition.unlock()
            for c in waiting { c.resume() }
            if done { break }
        }
        condition.lock()
        let late = flushers
        flushers.removeAll()
        condition.unlock()
        for c in late { c.resume() }
        stopped.signal()
    }
}
