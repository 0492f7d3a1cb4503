import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PilotCore
import PilotProtocol
import PilotStore
import Synchronization

/// Runs the reactor on its own thread and carries out its effects.
///
/// Events arrive from the agent channel, the HTTP API, timers, the Slurm worker and the work pool
/// through one inbox; the reactor thread takes them in order, and hands each effect to the part
/// that owns it: batches and everything behind them to the store writer, heavy work to the pool,
/// Slurm requests to the Slurm worker. Nothing here blocks an event loop.
public final class ManagerShell: @unchecked Sendable {
    public let config: ManagerConfig
    public let store: PilotStore
    let log: Logger
    let inbox = EventInbox()
    private(set) var writer: StoreWriter!
    let pool: NIOThreadPool
    let slurm: SlurmWorker
    let channel: AgentChannel
    let journal: JournalHub
    /// Nil when the manager runs without metrics (`--no-metrics`).
    let metrics: ManagerMetrics?
    private var reactor: ManagerReactor
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)

    private let replies = NIOLockedValueBox<[ReplyID: CheckedContinuation<ManagerReply, Never>]>([:])
    private let nextReply = NIOLockedValueBox<ReplyID>(1)
    /// The last summary the reactor published: `GET /v1/summary` never waits for the reactor.
    private let published = NIOLockedValueBox<Summary?>(nil)
    private let tickQueued = NIOLockedValueBox(false)
    /// The newest batch the writer made durable. The reactor picks it up whenever it wakes (an event,
    /// or at the latest the periodic timer) instead of being woken per commit: a futex wake-up and a
    /// context switch per commit cost more than the memory it frees a little later.
    private let durable = Atomic<UInt64>(0)
    private var durableSeen: UInt64 = 0
    /// Arrival time of the last event the reactor handled.
    private var lastStamp: Double?

    public init(config: ManagerConfig, store: PilotStore, logger: Logger) throws {
        self.config = config
        self.store = store
        log = logger
        let snapshot = try ReactorSnapshot.load(from: store)
        reactor = ManagerReactor(config: config, snapshot: snapshot, now: Date().timeIntervalSince1970)
        pool = NIOThreadPool(numberOfThreads: max(1, min(4, ProcessInfo.processInfo.activeProcessorCount)))
        slurm = SlurmWorker(config: config)
        channel = AgentChannel(logger: logger)
        journal = JournalHub(lastSeq: reactor.lastSeq)
        metrics = config.metrics ? ManagerMetrics() : nil
        published.withLockedValue { $0 = reactor.summary() }
        writer = StoreWriter(store: store, retention: config.journalRetention, log: logger,
                             perform: { [unowned self] in self.performDurable($0) },
                             committed: { [unowned self] n, batch, seconds in
                                 self.durable.store(n, ordering: .releasing)
                                 self.journal.publish(batch.journal)
                                 self.metrics?.committed(batch, seconds: seconds)
                             })
    }

    public var startedAt: Double { reactor.startedAt }

    /// Starts the writer, the pool and the reactor thread, and carries out what the restore decided.
    func start() {
        pool.start()
        metrics?.start()
        writer.start()
        let t = Thread { [self] in self.run() }
        t.name = "pilot-reactor"
        thread = t
        // The restore's own effects (a batch, a tick) go first.
        dispatch(reactor.handle(.tick, now: Date().timeIntervalSince1970))
        t.start()
    }

    /// Ends the reactor after a last commit; effects already queued are carried out.
    func stop() async {
        inbox.post(.shutdown)
        inbox.close()
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                self.finished.wait()
                self.writer.stop()
                self.metrics?.stop()
                c.resume()
            }
        }
        try? await pool.shutdownGracefully()
    }

    private func run() {
        KernelThreadName.set("pilot-reactor")
        var stopping = false
        while true {
            let items = inbox.takeAll()
            if items.isEmpty { break }
            for item in items {
                switch item {
                case .event(let e, let t):
                    lastStamp = t
                    if case .tick = e { tickQueued.withLockedValue { $0 = false } }
                    if case .shutdown = e { stopping = true }
                    dispatch(reactor.handle(e, now: t))
                case .read(let body):
                    body(reactor)
                }
            }
            // Stamped with the last event's arrival, not the clock: events still queued (a heartbeat
            // behind a long step) carry earlier stamps, and a reactor clock run ahead of them would
            // let a queued timer declare their agents lost before their heartbeats are handled.
            let n = durable.load(ordering: .acquiring)
            if n > durableSeen, let stamp = lastStamp {
                durableSeen = n
                dispatch(reactor.handle(.committed(n), now: stamp))
            }
            published.withLockedValue { $0 = reactor.summary() }
            if stopping && inbox.backlog == 0 { break }
        }
        finished.signal()
    }

    /// Runs on the reactor thread: hands each effect to its owner, keeping the order behind persists.
    private func dispatch(_ effects: [ManagerEffect]) {
        var queued: [StoreWriter.Item] = []
        for e in effects {
            switch e {
            case .persist(let n, let b): queued.append(.persist(n, b))
            case .tick:
                let already = tickQueued.withLockedValue { q in defer { q = true }; return q }
                if !already { inbox.post(.tick) }
            case .log(let level, let message): log.log(level: level, "\(message)")
            case .offload(let w):
                // Not tied to a commit: start the work at once.
                runOffloaded(w)
            default: queued.append(.effect(e))
            }
        }
        writer.enqueue(queued)
    }

    /// On the writer's thread, after every batch before it is durable.
    private func performDurable(_ e: ManagerEffect) {
        switch e {
        case .send(let conn, let m): channel.send(m, to: conn)
        case .close(let conn): channel.close(conn)
        case .reply(let id, let r): resolve(id, r)
        case .slurm(let req): slurm.perform(req, post: { [inbox] in inbox.post($0) })
        case .offload(let w): runOffloaded(w)
        case .persist, .tick, .log: break
        }
    }

    private func runOffloaded(_ w: OffloadWork) {
        let inbox = self.inbox
        let drivers = config.iterativeDrivers
        let dreamer = OffloadedWork.Dreamer(profiles: config.deviceProfiles, serverDir: config.serverDir, log: log)
        pool.submit { state in
            guard case .active = state else { return }
            inbox.post(OffloadedWork.run(w, drivers: drivers, dreamer: dreamer))
        }
    }

    // MARK: - For the API

    /// Sends an API event and waits for its reply.
    func request(_ make: (ReplyID) -> ManagerEvent) async -> ManagerReply {
        let id = nextReply.withLockedValue { n in defer { n += 1 }; return n }
        return await withCheckedContinuation { c in
            replies.withLockedValue { $0[id] = c }
            inbox.post(make(id))
        }
    }

    private func resolve(_ id: ReplyID, _ r: ManagerReply) {
        let c = replies.withLockedValue { $0.removeValue(forKey: id) }
        c?.resume(returning: r)
    }

    /// Reads the reactor's state on its thread, between events.
    func read<T: Sendable>(_ body: @escaping @Sendable (ManagerReactor) -> T) async -> T {
        await withCheckedContinuation { c in
            inbox.read { c.resume(returning: body($0)) }
        }
    }

    /// Runs blocking work (a store read, a file) on the pool.
    func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive(body)
    }

    var summary: Summary? { published.withLockedValue { $0 } }
    var commitStats: WriterStats { writer.stats }
    var inboxBacklog: Int { inbox.backlog }
}
