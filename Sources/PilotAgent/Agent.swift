import Foundation
import Logging
import NIOCore
import NIOPosix
import PilotCore
import PilotLaunch
import PilotProtocol

/// One per node. Registers the node, runs what the manager binds to it, and keeps running tasks
/// alive while the manager is away: results are kept until the manager acknowledges them, and a
/// reconnect reports what ran, finished or failed in the meantime.
public actor Agent {
    let config: AgentConfig
    let log: Logger
    /// Nil with the null launcher, which runs no process.
    var launcher: ProcessLauncher!
    let kernel: KernelRunner?

    struct Running {
        var key: TaskKey
        var token: UInt64
        var pid: Int32?
        var startedAt: Double
        var spec: TaskSpec
        /// Set when the manager canceled it or the pilot drained it, so the exit is reported as such.
        var stopReason: TaskOutcome.Kind?
        var kernelTask: Task<Void, Never>?
        /// PUs and GPUs (as the binding names them) held until it exits.
        var pus: [Int] = []
        var gpus: [Int] = []
        /// Device slots it holds; a task queued behind it on the same slot starts once it ends.
        var lease: QPULease?
        /// While queued behind another task: that task's launcher token. Nil once started.
        var predecessor: UInt64?
    }

    var running: [TaskKey: Running] = [:]
    /// The task queued in the launcher behind each running or queued one (see `chain`). Kept apart
    /// from `running` so walking a core's queue copies no `Running`.
    var successorOf: [TaskKey: TaskKey] = [:]
    /// Assignments bound to PUs/GPUs still held by a running task (prefetch), in arrival order.
    /// Each starts the moment everything it needs is free and no earlier waiting task wants it.
    var waiting: [TaskAssignment] = []
    var waitingKeys: Set<TaskKey> = []
    /// Per PU and GPU id: the `pump` pass in which an earlier waiting task wanted it.
    var puClaim: [UInt32] = []
    var gpuClaim: [UInt32] = []
    var claimPass: UInt32 = 0
    /// Binding PU and GPU ids held by running tasks, and by which.
    var puHolder: [Int: TaskKey] = [:]
    var gpuHolder: [Int: TaskKey] = [:]
    /// Device slots held by running tasks, and by which.
    var leaseHolder: [LeaseSlot: TaskKey] = [:]
    /// The manager said it reads `started` inside a `finished` frame (see `flush`).
    var managerCombines = false
    /// The manager's welcome said it reads `BinaryFrame`s.
    var managerReadsBinary = false
    /// The current connection: frames and the close of an older one are ignored.
    var sessionNumber = 0
    var sessionOver = false
    var sessionEnd: CheckedContinuation<Void, Never>?
    var sessionError: AgentError?
    /// Array templates the manager sent over the current connection, by spec id.
    var templates: [Int64: TaskSpec] = [:]
    /// This process's environment merged with the configured one; see `spawnEnvironment(for:)`.
    var baseEnvironment: [String: String]?
    var baseBlock: EnvironmentBlock?
    var byToken: [UInt64: TaskKey] = [:]
    /// Reads exited tasks' result files on the reaper threads (see ResultCollector).
    var results: ResultCollector?
    /// Kills tasks whose output passes `config.outputLimit`.
    var outputWatch: OutputWatch?
    var nextToken: UInt64 = 1
    /// Finished attempts not yet acknowledged by the manager.
    var unacked: [TaskKey: TaskOutcome] = [:]
    /// Killed on the manager's request after a reconnect: their exits are not reported.
    var discard: Set<TaskKey> = []

    var link: (any Channel)?
    var agentID: Int?
    var heartbeatInterval: Double = 2
    var heartbeat: Task<Void, Never>?
    var draining = false
    var drainDeadline: Double?
    var stopped = false
    var stopContinuation: CheckedContinuation<Void, Never>?
    /// The wait between reconnect attempts, which `stop()` cuts short.
    var pauseContinuation: CheckedContinuation<Void, Never>?
    /// When a manager last welcomed this agent (or when it started).
    var lastManagerContact = Date().timeIntervalSince1970
    /// Giving up on an unreachable manager: tasks are being stopped, then the agent exits.
    var abandoning = false
    /// The outcomes file is being written; the agent stops once it is.
    var writingUnreported = false
    /// Why the agent gave up (refused token, incompatible manager); nil after a normal stop.
    public private(set) var fatalError: AgentError?
    var pendingStarted: [RunningTask] = []
    var pendingFinished: [TaskOutcome] = []
    var flushScheduled = false
    /// When the timer for held `started` reports and held outcomes fires (see `flush`).
    var timedFlushDue: Double?
    /// The one armed flush timer. A timer whose due moved earlier is cancelled, not left to fire:
    /// each stale fire would flush and arm another, and those chains multiplied.
    var flushTimer: Scheduled<Void>?
    /// PUs and GPUs this agent offers: all of them held means every core and GPU is busy.
    lazy var slotTotals: (pus: Int, gpus: Int) = (config.resources.domains.reduce(0) { $0 + $1.cores.reduce(0) { $0 + $1.pus.count } },
                                                  config.resources.gpus.count)
    /// Tasks killed by a signal Slurm may have sent to the whole step, held until it is clear
    /// whether the pilot is ending (see Agent+SlurmSignals.swift).
    var heldExits: [TaskKey: TaskOutcome] = [:]

    /// The agent runs on one event loop, the one its manager connection lives on: frames are
    /// handled, tasks spawned and results written on one long-lived thread, with no hop through
    /// the Swift pool per message (each hop was a thread wake-up per task), and the loop's thread
    /// outlives every child, so spawns need no helper thread for the parent-death signal.
    public nonisolated let eventLoop: any EventLoop
    public nonisolated var unownedExecutor: UnownedSerialExecutor { eventLoop.executor.asUnownedSerialExecutor() }

    public init(config: AgentConfig, logger: Logger, kernel: KernelRunner? = nil,
                eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next()) {
        self.eventLoop = eventLoop
        self.config = config
        log = logger
        self.kernel = kernel
    }

    var now: Double { Date().timeIntervalSince1970 }

    /// Runs until `stop()` or until a drain completes.
    public func run() async {
        let box = WeakAgent(self)
        let loop = eventLoop
        try? FileManager.default.createDirectory(atPath: config.logDir, withIntermediateDirectories: true)
        let collector = ResultCollector(directory: config.logDir)
        results = collector
        // A simulated agent (null launcher) starts no process, so it needs no containment, reaper
        // thread or output watch: many of them fit in one process (`pilot bench agents`).
        let containment = config.launcher == .process ? TaskContainment(preferred: config.containment) : nil
        if let containment {
            // A dead agent's tasks may still run here (their grandchildren, daemons): they would hold
            // cores this agent is about to hand out, and their work is being run again elsewhere.
            let leftovers = containment.endLeftovers()
            log.info("task containment: \(containment.mechanism.rawValue)\(leftovers > 0 ? "; ended \(leftovers) leftovers of a dead agent's tasks" : "")")
        }
        defer { containment?.removeOwnCgroup() }
        if let containment {
            let launcherBox = LauncherBox()
            let watch = config.outputLimit > 0 ? OutputWatch(limit: config.outputLimit, kill: { launcherBox.launcher?.signal(token: $0, SIGKILL) }) : nil
            outputWatch = watch
            let hold = config.successorDepth > 1 ? Duration.nanoseconds(Int64(max(0, config.launchReportDelay) * 1e9)) : .zero
            launcher = ProcessLauncher(callersOutliveChildren: true, containment: containment, holdQueued: hold, onBatches: { batches in
                // On the reaper thread: the task's files are read here, off the event loop.
                let tokens = batches.flatMap { $0.exits.map(\.token) }
                let found = tokens.isEmpty ? [:] : collector.collect(tokens)
                let overOutput = tokens.isEmpty ? [:] : watch?.finish(tokens) ?? [:]
                loop.execute { box.agent?.assumeIsolated { $0.launched(batches, resultFiles: found, overOutput: overOutput) } }
            })
            launcherBox.launcher = launcher
        }
        if let d = config.deadline { scheduleDeadlineDrain(d) }
        await loadUnreported()
        lastManagerContact = now
        var backoff = 0.05
        var cfg = config
        while !stopped {
            do {
                try await session(cfg)
                backoff = 0.05
            } catch let e as AgentError where e.fatal {
                log.error("\(e)")
                fatalError = e
                stopped = true
                break
            } catch {
                log.info("manager unreachable (\(error)); retrying in \(String(format: "%.2f", backoff)) s with \(running.count) tasks still running")
            }
            if stopped { break }
            let away = now - lastManagerContact
            if away >= managerLostLimit { abandonManager(away: away) }
            // Drained with no manager to hand the results to: they wait on disk for the next one.
            if draining, running.isEmpty, !abandoning {
                await writeUnreported()
                stop()
                break
            }
            await pause(backoff)
            if stopped { break }
            backoff = min(backoff * 2, 5)
            if let dir = config.serverDir, let a = try? AccessFile.read(from: dir) {
                cfg.managerHost = a.host == "0.0.0.0" ? "127.0.0.1" : a.host
                cfg.agentPort = a.agentPort
                cfg.token = a.token
                cfg.tlsFingerprint = a.tlsFingerprint
            } else if let file = config.tokenFile, let c = try? AccessFile.readCredentials(file: file) {
                cfg.token = c.token
                // A bare token file says nothing of TLS: the fingerprint given with it stays.
                if let f = c.tlsFingerprint { cfg.tlsFingerprint = f }
            }
        }
        launcher?.shutdown()
    }

    public func stop() {
        stopped = true
        link?.close(promise: nil)
        pauseContinuation?.resume()
        pauseContinuation = nil
    }

    /// Waits `seconds`, or less if the agent is stopped meanwhile (SIGTERM must not wait out a backoff).
    func pause(_ seconds: Double) async {
        if stopped { return }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            pauseContinuation = c
            eventLoop.scheduleTask(in: .milliseconds(Int64(seconds * 1000))) { [weak self] in
                self?.assumeIsolated { a in
                    a.pauseContinuation?.resume()
                    a.pauseContinuation = nil
                }
            }
        }
    }

    /// `managerLostTimeout`, bounded by the allocation's end so the results are on disk before Slurm
    /// kills the node.
    var managerLostLimit: Double {
        var limit = config.managerLostTimeout
        if let d = config.deadline { limit = min(limit, max(0, d - config.drainMargin * 2 - lastManagerContact)) }
        return limit
    }

    public var runningCount: Int { running.count }
    public var registeredID: Int? { agentID }
}

/// Lets the output watch reach the launcher, made after it.
final class LauncherBox: Sendable {
    nonisolated(unsafe) weak var launcher: ProcessLauncher?
}

/// Lets the launcher's callback reach the agent without keeping it alive.
final class WeakAgent: Sendable {
    nonisolated(unsafe) weak var agent: Agent?
    init(_ a: Agent) { agent = a }
}

public struct AgentError: Error, CustomStringConvertible, Sendable {
    public var message: String
    /// Not worth retrying (refused token, incompatible version).
    public var fatal: Bool
    public init(_ message: String, fatal: Bool = false) { self.message = message; self.fatal = fatal }
    public var description: String { message }
}
