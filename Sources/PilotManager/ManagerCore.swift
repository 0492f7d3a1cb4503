import Foundation
import HeapModule
import Logging
import NIOCore
import NIOPosix
import PilotCore
import PilotProtocol
import PilotStore

/// The manager's state: live tasks, agents and the scheduler, with the store as the durable copy.
///
/// Inputs (submissions, agent messages, timers) change memory and mark tasks dirty; a coalesced
/// `tick` then commits every change in one transaction, runs the scheduler, commits the bindings
/// and only then sends them, so a crash at any point never loses a binding an agent has seen.
public actor ManagerCore {
    let config: ManagerConfig
    let store: PilotStore
    let log: Logger
    public let startedAt: Double

    var scheduler: Scheduler
    /// Non-terminal tasks, plus terminal ones until their final state is committed.
    var live: [Int64: TaskRow] = [:]
    var specs: [Int64: TaskSpec] = [:]
    var specRefs: [Int64: Int] = [:]
    var counts: [TaskState: Int] = [:]
    var nextTaskID: Int64

    var agents: [Int: AgentRecord] = [:]
    var agentByUUID: [String: Int] = [:]
    var nextAgentID = 1

    var dirty: Set<Int64> = []
    var events: [TaskEventRow] = []
    var dirtyAgents: Set<Int> = []
    var acks: [Int: [TaskKey]] = [:]
    var outbox: [Int: [TaskAssignment]] = [:]
    /// Array members for agents that take template references; templates new to the connection ride along.
    var refOutbox: [Int: (refs: [AssignmentRef], templates: [Int64: TaskSpec], reset: Bool)] = [:]
    var cancels: [Int: [TaskKey]] = [:]
    var tickPending = false

    var workflows: [Int64: WorkflowRun] = [:]
    var workflowTasks: [Int64: WorkflowTaskRef] = [:]
    /// Workflow tasks that started or ended since the last tick.
    var workflowChanges: [(Int64, TaskState)] = []

    /// Tasks waiting out a retry backoff.
    var delayed = Heap<DelayedTask>()
    /// Bindings of tasks requeued because their agent went silent: if the agent comes back with
    /// the task still running, it is reattached instead of run twice.
    var lastBindings: [Int64: Binding] = [:]
    var waiters: [Waiter] = []
    var pilotBook = PilotBook()
    var stopping = false

    struct DelayedTask: Comparable {
        var at: Double
        var id: Int64
        static func < (a: Self, b: Self) -> Bool { (a.at, a.id) < (b.at, b.id) }
    }

    struct Waiter {
        var ids: [Int64]
        var deadline: Double
        var continuation: CheckedContinuation<WaitResponse, Never>
    }

    /// The core runs on one event loop, which also carries every agent connection: frames are
    /// decoded and handled and assignments written without a thread hop per message.
    public nonisolated let eventLoop: any EventLoop
    public nonisolated var unownedExecutor: UnownedSerialExecutor { eventLoop.executor.asUnownedSerialExecutor() }

    public init(config: ManagerConfig, store: PilotStore, logger: Logger,
                eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next()) throws {
        self.eventLoop = eventLoop
        self.config = config
        self.store = store
        log = logger
        startedAt = Date().timeIntervalSince1970
        scheduler = Scheduler(devices: config.devices)
        nextTaskID = 1
        try Self.restore(into: &self.live, specs: &specs, specRefs: &specRefs, counts: &counts, agents: &agents,
                         agentByUUID: &agentByUUID, scheduler: &scheduler, store: store, now: startedAt,
                         timeout: config.heartbeatTimeout)
        nextTaskID = try store.maxTaskID() + 1
        nextAgentID = (agents.keys.max() ?? 0) + 1
        let (nLive, nAgents) = (live.count, agents.count)
        if nLive > 0 || nAgents > 0 {
            logger.info("restored \(nLive) live tasks and \(nAgents) agents from \(store.path)")
        }
    }

    /// Rebuilds memory from the store after a restart. Ready tasks go back in the queue; bound and
    /// running tasks wait for their agent to reconnect (or to be declared lost).
    static func restore(into live: inout [Int64: TaskRow], specs: inout [Int64: TaskSpec], specRefs: inout [Int64: Int],
                        counts: inout [TaskState: Int], agents: inout [Int: AgentRecord], agentByUUID: inout [String: Int],
                        scheduler: inout Scheduler, store: PilotStore, now: Double, timeout: Double) throws {
        for (s, n) in try store.counts() { counts[s] = n }
        let rows = try store.liveTasks()
        let needed = Set(rows.map(\.specID))
        specs = try store.specs(needed)
        for r in rows {
            live[r.id] = r
            specRefs[r.specID, default: 0] += 1
        }
        for r in rows where r.state == .ready || r.state == .new {
            let spec = specs[r.specID]!
            scheduler.enqueue(r.id, request: spec.request, priority: r.priority, time: spec.timeRequest)
        }
        for a in try store.agents() where a.state == "active" || a.state == "disconnected" {
            // Silent since the restart: lost unless it reconnects within one heartbeat timeout.
            agents[a.id] = AgentRecord(id: a.id, uuid: a.uuid, hostname: a.hostname, pilot: a.pilot, resources: a.resources,
                                       state: .disconnected, link: nil, registeredAt: a.registeredAt, lastSeen: now,
                                       deadline: a.deadline)
            agentByUUID[a.uuid] = a.id
        }
    }

    var now: Double { Date().timeIntervalSince1970 }

    func spec(of row: TaskRow) -> TaskSpec {
        let s = specs[row.specID]!
        return row.arrayIndex.map { s.instantiated(index: $0) } ?? s
    }

    // MARK: - State changes

    func setState(_ id: Int64, _ state: TaskState) {
        guard let old = live[id]?.state, old != state else { return }
        counts[old, default: 0] -= 1
        counts[state, default: 0] += 1
        live[id]!.state = state
        dirty.insert(id)
        if (state == .running || state.isTerminal), workflowTasks[id] != nil { workflowChanges.append((id, state)) }
    }

    func event(_ row: TaskRow, _ state: TaskState, _ reason: String?) {
        events.append(TaskEventRow(task: row.id, at: now, state: state, attempt: row.attempt, agent: row.agent, reason: reason))
    }

    /// Queue a task for binding again, at once or after its retry delay.
    func requeue(_ id: Int64, reason: String, delay: Double = 0) {
        guard var row = live[id] else { return }
        event(row, .ready, reason)
        if row.state == .running, let b = row.binding { lastBindings[id] = b }
        row.reason = reason
        row.agent = nil
        row.binding = nil
        row.boundAt = nil
        row.startedAt = nil
        live[id] = row
        setState(id, .ready)
        if delay > 0 {
            live[id]!.notBefore = now + delay
            delayed.insert(DelayedTask(at: now + delay, id: id))
        } else {
            let s = spec(of: row)
            scheduler.enqueue(id, request: s.request, priority: row.priority, time: s.timeRequest)
        }
    }

    func finish(_ id: Int64, _ state: TaskState, reason: String?) {
        guard let row = live[id] else { return }
        if state != .done { event(row, state, reason) }
        live[id]!.reason = reason
        live[id]!.endedAt = live[id]!.endedAt ?? now
        setState(id, state)
    }

    // MARK: - Tick

    func requestTick() {
        guard !tickPending else { return }
        tickPending = true
        Task { self.tick() }
    }

    /// One round: schedule, commit everything, then talk to agents.
    func tick() {
        tickPending = false
        if !workflowChanges.isEmpty {
            let changes = workflowChanges
            workflowChanges.removeAll()
            feedWorkflows(changes)
        }
        let t = now
        let bindings = stopping ? [] : scheduler.schedule(now: t, limit: config.bindBatch)
        for b in bindings { bind(b, at: t) }
        do {
            try commit()
        } catch {
            // The store refused a write: nothing may be sent for state that is not durable.
            log.error("store write failed, retrying: \(error)")
            outbox.removeAll()
            // Templates queued in this batch never reached the agent: forget that they were sent.
            for (agent, e) in refOutbox { for id in e.templates.keys { agents[agent]?.sentTemplates.remove(id) } }
            refOutbox.removeAll()
            for b in bindings { scheduler.release(b.task); requeueAfterFailedCommit(b.task) }
            Task { try? await Task.sleep(for: .milliseconds(200)); self.requestTick() }
            return
        }
        flushMessages()
        if bindings.count == config.bindBatch { requestTick() }
        resolveWaiters()
    }

    private func requeueAfterFailedCommit(_ id: Int64) {
        guard var row = live[id] else { return }
        row.attempt -= 1
        row.agent = nil
        row.binding = nil
        live[id] = row
        setState(id, .ready)
        let s = spec(of: row)
        scheduler.enqueue(id, request: s.request, priority: row.priority, time: s.timeRequest)
    }

    func bind(_ b: Binding, at t: Double) {
        guard var row = live[b.task] else { scheduler.release(b.task); return }
        row.attempt += 1
        lastBindings[b.task] = nil
        row.agent = b.placements[0].agent
        row.binding = b
        row.boundAt = t
        row.startedAt = nil
        row.endedAt = nil
        row.notBefore = nil
        live[b.task] = row
        setState(b.task, .bound)
        let agent = row.agent!
        if let index = row.arrayIndex, b.placements.count == 1, agents[agent]?.templates == true {
            // The template goes once per connection; each member costs only its key, index and placement.
            var entry = refOutbox[agent] ?? ([], [:], false)
            if agents[agent]!.sentTemplates.insert(row.specID).inserted {
                if agents[agent]!.sentTemplates.count > Self.maxTemplatesPerConnection {
                    agents[agent]!.sentTemplates = [row.specID]
                    entry.templates.removeAll()
                    entry.reset = true
                    // Templates already referenced in this batch must travel again after the reset.
                    for r in entry.refs { entry.templates[r.template] = specs[r.template] }
                    for id in entry.templates.keys { agents[agent]!.sentTemplates.insert(id) }
                }
                entry.templates[row.specID] = specs[row.specID]
            }
            entry.refs.append(AssignmentRef(key: TaskKey(task: b.task, attempt: row.attempt), template: row.specID, index: index,
                                            placement: b.placements[0], qpu: b.qpu))
            refOutbox[agent] = entry
            return
        }
        let s = spec(of: row)
        let hosts = b.placements.count > 1 ? b.placements.map { agents[$0.agent]?.hostname ?? "?" } : nil
        let a = TaskAssignment(key: TaskKey(task: b.task, attempt: row.attempt), spec: s, placement: b.placements[0],
                               gangHosts: hosts, qpu: b.qpu, gangPlacements: hosts == nil ? nil : b.placements)
        outbox[row.agent!, default: []].append(a)
    }

    func commit() throws {
        var batch = WriteBatch()
        batch.tasks.reserveCapacity(dirty.count)
        for id in dirty { if let r = live[id] { batch.tasks.append(r) } }
        batch.events = events
        for id in dirtyAgents {
            guard let a = agents[id] else { continue }
            batch.agents.append(AgentRow(id: a.id, uuid: a.uuid, hostname: a.hostname, pilot: a.pilot, resources: a.resources,
                                         state: a.state.rawValue, registeredAt: a.registeredAt, lastSeen: a.lastSeen,
                                         deadline: a.deadline))
        }
        try store.apply(batch)
        // Durable now: terminal tasks leave memory.
        for id in dirty {
            guard let r = live[id], r.state.isTerminal, scheduler.binding(of: id) == nil else { continue }
            live[id] = nil
            specRefs[r.specID, default: 1] -= 1
            if specRefs[r.specID] == 0 { specRefs[r.specID] = nil; specs[r.specID] = nil }
        }
        dirty.removeAll(keepingCapacity: true)
        events.removeAll(keepingCapacity: true)
        dirtyAgents.removeAll()
    }

    /// Bound on the templates one agent connection accumulates before the agent is told to reset.
    static let maxTemplatesPerConnection = 1024

    func flushMessages() {
        for (agent, list) in outbox { agents[agent]?.link?.send(.assign(list)) }
        outbox.removeAll(keepingCapacity: true)
        for (agent, e) in refOutbox {
            let t = e.templates.isEmpty && !e.reset ? nil : TemplateBatch(reset: e.reset, specs: e.templates)
            // One frame instead of two: acknowledgements travel with the next assignments.
            let ack = acks.removeValue(forKey: agent)
            agents[agent]?.link?.send(.assignRefs(e.refs, templates: t, ack: ack))
        }
        refOutbox.removeAll(keepingCapacity: true)
        for (agent, keys) in cancels { agents[agent]?.link?.send(.cancel(keys)) }
        cancels.removeAll()
        for (agent, keys) in acks { agents[agent]?.link?.send(.ack(keys)) }
        acks.removeAll(keepingCapacity: true)
    }

    // MARK: - Timers

    /// Called a few times per second: retry backoffs, lost agents, expired waits.
    public func periodic() {
        let t = now
        var changed = false
        while let top = delayed.min, top.at <= t {
            _ = delayed.removeMin()
            guard let row = live[top.id], row.state == .ready, row.notBefore != nil else { continue }
            live[top.id]!.notBefore = nil
            let s = spec(of: row)
            scheduler.enqueue(top.id, request: s.request, priority: row.priority, time: s.timeRequest)
            changed = true
        }
        for (id, a) in agents where a.state == .active || a.state == .disconnected {
            if t - a.lastSeen > config.heartbeatTimeout {
                loseAgent(id, reason: "no heartbeat for \(Int(config.heartbeatTimeout)) s")
                changed = true
            }
        }
        if changed || !dirty.isEmpty || !events.isEmpty { requestTick() }
        resolveWaiters(now: t)
    }

    public func shutdown() {
        stopping = true
        try? commit()
        for w in waiters { w.continuation.resume(returning: waitResponse(for: w.ids)) }
        waiters.removeAll()
    }
}
