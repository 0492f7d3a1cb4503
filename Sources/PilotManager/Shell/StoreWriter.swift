import Foundation
import Logging
import PilotCore
import PilotStore

/// Commits the reactor's write batches on its own thread, never on an event loop or the reactor's.
///
/// Items run in the order the reactor emitted them. Every `persist` waiting when the writer wakes
/// is written in one transaction (group commit); the effects queued behind them (sends, replies,
/// Slurm requests) run only after that commit, which is what makes bind-before-send hold. A
/// failing commit is retried with backoff and holds everything behind it: nothing is sent for
/// state that is not durable.
final class StoreWriter: @unchecked Sendable {
    enum Item {
        case persist(UInt64, WriteBatch)
        case effect(ManagerEffect)
        case stop
    }

    private let store: PilotStore
    private let log: Logger
    private let condition = NSCondition()
    private var items: [Item] = []
    private var thread: Thread?
    private let perform: (ManagerEffect) -> Void
    private let committed: (UInt64, WriteBatch, Double) -> Void
    private let stopped = DispatchSemaphore(value: 0)
    /// Journal retention, applied every `pruneEvery` commits.
    let retention: JournalRetention
    private var commitsSincePrune = 0
    let stats = WriterStats()

    /// `perform` carries out an effect whose batch is durable; `committed` reports each commit with
    /// what it wrote (journal records, changed rows) and how long it took in seconds.
    init(store: PilotStore, retention: JournalRetention, log: Logger, perform: @escaping (ManagerEffect) -> Void,
         committed: @escaping (UInt64, WriteBatch, Double) -> Void) {
        self.store = store
        self.retention = retention
        self.log = log
        self.perform = perform
        self.committed = committed
    }

    func start() {
        let t = Thread { [self] in self.run() }
        t.name = "pilot-store-writer"
        thread = t
        t.start()
    }

    func enqueue(_ new: [Item]) {
        guard !new.isEmpty else { return }
        condition.lock()
        items.append(contentsOf: new)
        condition.signal()
        condition.unlock()
    }

    /// Writes what is queued, then ends the thread.
    func stop() {
        enqueue([.stop])
        stopped.wait()
    }

    private func run() {
        KernelThreadName.set("pilot-writer")
        var running = true
        while running {
            condition.lock()
            while items.isEmpty { condition.wait() }
            let taken = items
            items.removeAll(keepingCapacity: true)
            condition.unlock()

            var merged = WriteBatch()
            var last: UInt64 = 0
            var after: [ManagerEffect] = []
            for item in taken {
                switch item {
                case .persist(let n, let b):
                    merged.append(b)
                    last = n
                case .effect(let e): after.append(e)
                case .stop: running = false
                }
            }
            if last > 0 { commit(merged, number: last) }
            for e in after { perform(e) }
        }
        stopped.signal()
    }

    private func commit(_ batch: WriteBatch, number: UInt64) {
        var delay = 0.05
        while true {
            let start = DispatchTime.now().uptimeNanoseconds
            do {
                try store.apply(batch)
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                stats.record(seconds: seconds, rows: batch.tasks.count + batch.newTasks.count, journal: batch.journal.count)
                committed(number, batch, seconds)
                prune()
                return
            } catch {
                // Memory is ahead of the disk until this succeeds; everything that depends on it waits.
                log.error("store write failed, retrying in \(delay) s: \(error)")
                Thread.sleep(forTimeInterval: delay)
                delay = min(delay * 2, 5)
            }
        }
    }

    private func prune() {
        commitsSincePrune += 1
        guard commitsSincePrune >= 256, retention.maxRecords != nil || retention.maxAge != nil else { return }
        commitsSincePrune = 0
        do {
            let n = try store.pruneJournal(keep: retention.maxRecords,
                                           before: retention.maxAge.map { Date().timeIntervalSince1970 - $0 })
            if n > 0 { log.debug("journal retention removed \(n) records") }
        } catch { log.warning("journal retention failed: \(error)") }
    }
}

/// How much of the journal the store keeps. Older records are deleted in the background.
public struct JournalRetention: Sendable, Hashable {
    public var maxRecords: Int?
    /// Seconds.
    public var maxAge: Double?
    public init(maxRecords: Int? = 10_000_000, maxAge: Double? = 30 * 86_400) {
        self.maxRecords = maxRecords
        self.maxAge = maxAge
    }
}

/// Commit latency, for metrics.
final class WriterStats: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var commits = 0
    private(set) var totalSeconds = 0.0
    private(set) var maxSeconds = 0.0
    private(set) var journalRecords = 0
    private var recent: [Double] = []

    func record(seconds: Double, rows: Int, journal: Int) {
        lock.lock()
        commits += 1
        totalSeconds += seconds
        maxSeconds = max(maxSeconds, seconds)
        journalRecords += journal
        recent.append(seconds)
        if recent.count > 1024 { recent.removeFirst(recent.count - 1024) }
        lock.unlock()
    }

    func snapshot() -> (commits: Int, totalSeconds: Double, recent: [Double]) {
        lock.lock()
        defer { lock.unlock() }
        return (commits, totalSeconds, recent)
    }
}
