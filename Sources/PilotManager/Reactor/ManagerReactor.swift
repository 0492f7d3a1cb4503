import HeapModule
import Logging
import PilotCore
import PilotProtocol
import PilotStore

/// The manager's decisions, as a deterministic state machine: `handle(event, now) -> [Effect]`.
///
/// It owns the live tasks, the agents, the scheduler, the pilots, the allocation queues and the
/// workflow engines, and does no I/O: no socket, no clock, no file, no SQLite. Every change of state
/// goes into the next write batch together with its journal record; sends and replies that depend
/// on a change follow that batch's `persist` effect, so the shell carries them out only once the
/// change is durable. The shell (`ManagerShell`) feeds events in arrival order and carries effects out.
public struct ManagerReactor: Sendable {
    let config: ManagerConfig
    public let startedAt: Double
    /// The time of the event being handled.
    var now: Double
    var effects: [ManagerEffect] = []

    var scheduler: Scheduler
    /// Non-terminal tasks, plus terminal ones until their final state is committed.
    var live: [Int64: TaskRow] = [:]
    /// Tasks held in `new` until the tasks they name in `after` end, and who waits on whom.
    var dependencies = DependencyBook()
    var specs: [Int64: TaskSpec] = [:]
    var specRefs: [Int64: Int] = [:]
    var counts: [TaskState: Int] = [:]
    var nextTaskID: Int64 = 1
    var nextSpecID: Int64 = 1
    var nextSeq: Int64 = 1
    var nextWorkflowID: Int64 = 1
    var nextWorkloadID: Int64 = 1

    var agents: [Int: AgentRecord] = [:]
    var agentByUUID: [String: Int] = [:]
    var agentOfConnection: [ConnectionID: Int] = [:]
    var nextAgentID = 1

    /// The write batch being gathered: rows changed since the last `persist`.
    var batch = WriteBatch()
    var dirty: Set<Int64> = []
    var dirtyAgents: Set<Int> = []
    var persistNumber: UInt64 = 0
    /// Tasks that ended in each uncommitted batch: they leave memory once it is durable.
    var ending: [(batch: UInt64, tasks: [Int64])] = []
    var pendingReplies: [(ReplyID, ManagerReply)] = []

    var acks: [Int: [TaskKey]] = [:]
    var outbox: [Int: [Assignment]] = [:]
    var cancels: [Int: [TaskKey]] = [:]
    var tickPending = false

    var workflows: [Int64: WorkflowRun] = [:]
    var workflowTasks: [Int64: WorkflowTaskRef] = [:]
    /// Workflow tasks that started or ended since the last tick.
    var workflowChanges: [(Int64, TaskState)] = []
    /// Stored rows of workflow tasks, read at start for the rebuilt engines to adopt; emptied after.
    var recoveredRows: [Int64: TaskRow] = [:]
    var recoveredSpecs: [Int64: TaskSpec] = [:]

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
        var reply: ReplyID
    }

    /// Rebuilds the state a previous manager left in the store (`snapshot`), or starts empty.
    public init(config: ManagerConfig, snapshot: ReactorSnapshot, now: Double) {
        self.config = config
        startedAt = now
        self.now = now
        scheduler = Scheduler(devices: config.devices)
        restore(snapshot)
    }

    /// The store's key for the access token.
    static let tokenMetaKey = "access_token"

    /// Handles one event and returns what the shell must do, in order.
    public mutating func handle(_ event: ManagerEvent, now: Double) -> [ManagerEffect] {
        self.now = max(self.now, now)
        dispatch(event)
        if !pendingReplies.isEmpty {
            // A reply may promise what this event changed (ids, a workflow): it leaves after the commit.
            flushBatch()
            for (id, r) in pendingReplies { effects.append(.reply(id, r)) }
            pendingReplies.removeAll()
        }
        // Whatever changed is persisted by the next round, even if nothing else asks for one.
        if !batch.isEmpty || !dirty.isEmpty || !dirtyAgents.isEmpty { requestTick() }
        defer { effects.removeAll(keepingCapacity: true) }
        return effects
    }

    private mutating func dispatch(_ event: ManagerEvent) {
        switch event {
        case .submit(let req, let reply): let r = Self.result { () throws(ManagerError) in .submitted(try submit(req)) }; pendingReplies.append((reply, r))
        case .cancel(let ids, let reply): pendingReplies.append((reply, .canceled(cancel(ids))))
        case .rotateToken(let token, let grace, let reason, let reply):
            // The token goes to the store in the same transaction as its record; the record never holds it.
            batch.meta[Self.tokenMetaKey] = token
            journal(.tokenRotated, reason: reason, detail: #"{"grace_seconds":\#(grace)}"#)
            pendingReplies.append((reply, .stored))
        case .submitWorkflow(let req, let reply): submitWorkflow(req, reply: reply)
        case .retryWorkflow(let id, let reply): let r = Self.result { () throws(ManagerError) in .workflow(try retryWorkflow(id)) }; pendingReplies.append((reply, r))
        case .wait(let ids, let timeout, let reply): wait(ids: ids, timeout: timeout, reply: reply)
        case .reservePilot(let reply): pendingReplies.append((reply, .pilotID(reservePilotID())))
        case .submitPilot(let p, let reply): submitPilot(p, reply: reply)
        case .cancelPilot(let id, let reply): cancelPilot(id, reply: reply)
        case .resubmit(let items, let reply): let r = Self.result { () throws(ManagerError) in .submitted(try resubmit(items)) }; pendingReplies.append((reply, r))
        case .drainAgents(let req, let reply): let r = Self.result { () throws(ManagerError) in .draining(try drainAgents(req)) }; pendingReplies.append((reply, r))
        case .drainPilot(let id, let req, let reply): let r = Self.result { () throws(ManagerError) in .pilot(try drainPilot(id, req)) }; pendingReplies.append((reply, r))
        case .addAllocQueue(let req, let shape, let reply): let r = Self.result { () throws(ManagerError) in .queue(try addAllocQueue(req, shape: shape)) }; pendingReplies.append((reply, r))
        case .removeAllocQueue(let id, let reply): let r = Self.result { () throws(ManagerError) in .queue(try setQueue(id) { $0.state = .removed }) }; pendingReplies.append((reply, r))
        case .resumeAllocQueue(let id, let reply):
            let r = Self.result { () throws(ManagerError) in
                .queue(try setQueue(id) { q in
                    q.state = .active
                    q.failures = 0
                    q.reason = nil
                })
            }
            pendingReplies.append((reply, r))
        case .agentHello(let h, let conn): agentHello(h, connection: conn)
        case .agentMessage(let env, let conn):
            if let id = agentOfConnection[conn] { agentMessage(env, from: id) }
        case .agentDisconnected(let conn):
            if let id = agentOfConnection.removeValue(forKey: conn) { disconnected(id, connection: conn) }
        case .tick: tick()
        case .timer: timer()
        case .slurmSubmitted(let pilot, let result): slurmSubmitted(pilot, result)
        case .slurmCancelled(let pilot, let error, let reply): slurmCancelled(pilot, error: error, reply: reply)
        case .slurmStates(let infos, let asked, let cluster):
            pilotBook.pollsOut = max(0, pilotBook.pollsOut - 1)
            pilotBook.lastPollError = nil
            applySlurmStates(infos, asked: asked, cluster: cluster)
            // Once every cluster answered, so a pilot is never counted before its own cluster spoke.
            if pilotBook.pollsOut == 0 { autoscale() }
        case .slurmPollFailed(let message):
            pilotBook.pollsOut = max(0, pilotBook.pollsOut - 1)
            notePollError(message)
        case .workflowPrepared(let id, let result, let reply): workflowPrepared(id, result, reply: reply)
        case .cutPlanned(let wid, let stage, let answer, let summary): cutPlanned(wid, stage, answer, summary)
        case .committed(let n): committed(n)
        case .shutdown: shutdown()
        }
    }

    private static func result(_ body: () throws(ManagerError) -> ManagerReply) -> ManagerReply {
        do { return try body() } catch { return .failed(error) }
    }

    func spec(of row: TaskRow) -> TaskSpec {
        let s = specs[row.specID]!
        return row.arrayIndex.map { s.instantiated(index: $0) } ?? s
    }

    /// The stored spec without instantiating an array member: enough for everything but the
    /// command and the name (requests, limits, retries), and cheaper once per task event.
    func template(of row: TaskRow) -> TaskSpec { specs[row.specID]! }

    mutating func log(_ level: Logger.Level, _ message: String) { effects.append(.log(level, message)) }

    // MARK: - State changes and the journal

    mutating func journal(_ kind: JournalKind, task: Int64? = nil, taskEnd: Int64? = nil, attempt: Int? = nil, agent: Int? = nil,
                          pilot: String? = nil, workflow: Int64? = nil, stage: String? = nil, workload: Int64? = nil,
                          state: String? = nil, reason: String? = nil, detail: String? = nil) {
        batch.journal.append(JournalRecord(seq: nextSeq, at: now, kind: kind, task: task, taskEnd: taskEnd, attempt: attempt,
                                           agent: agent, pilot: pilot, workflow: workflow, stage: stage, workload: workload,
                                           state: state, reason: reason, detail: detail))
        nextSeq += 1
    }

    /// The one place a task changes state, so each change is journaled exactly once.
    mutating func setState(_ id: Int64, _ state: TaskState, reason: String? = nil, stage: String? = nil, detail: String? = nil) {
        guard let row = live[id], row.state != state else { return }
        let old = row.state
        counts[old, default: 0] -= 1
        counts[state, default: 0] += 1
        live[id]!.state = state
        dirty.insert(id)
        let kind: JournalKind = switch state {
        case .new: .taskWaiting
        case .ready: old == .new ? .taskReady : .taskRetried
        case .bound: .taskBound
        case .running: .taskStarted
        case .done: .taskFinished
        case .failed: .taskFailed
        case .canceled: .taskCanceled
        }
        let r = live[id]!
        // An attempt's end carries when it ran by the agent's clock: a task quicker than one report
        // batch never gets a `task_started` record, and reports still need its start.
        let times = detail ?? (state.isTerminal ? Self.runTimesDetail(r.startedAt, r.endedAt) : nil)
        journal(kind, task: id, attempt: r.attempt, agent: r.agent, workflow: r.workflow, stage: stage, workload: r.workload,
                reason: reason, detail: times)
        if (state == .running || state.isTerminal), workflowTasks[id] != nil { workflowChanges.append((id, state)) }
        if state.isTerminal { taskEnded(id, state) }
    }

    /// Frees a task's slots; a QPU lease it held is journaled as released.
    mutating func release(_ id: Int64) {
        if let q = scheduler.binding(of: id)?.qpu {
            journal(.leaseReleased, task: id, attempt: live[id]?.attempt, agent: live[id]?.agent, state: q.device)
        }
        scheduler.release(id)
    }

    /// Queue a task for binding again, at once or after its retry delay.
    mutating func requeue(_ id: Int64, reason: String, delay: Double = 0) {
        guard var row = live[id] else { return }
        if row.state == .running, let b = row.binding { lastBindings[id] = b }
        let times = Self.runTimesDetail(row.startedAt, row.endedAt)
        row.reason = reason
        row.agent = nil
        row.binding = nil
        row.boundAt = nil
        row.startedAt = nil
        live[id] = row
        setState(id, .ready, reason: reason, detail: times)
        if delay > 0 {
            live[id]!.notBefore = now + delay
            delayed.insert(DelayedTask(at: now + delay, id: id))
        } else {
            let s = template(of: row)
            scheduler.enqueue(id, request: s.request, priority: row.priority, time: s.timeRequest, estimates: s.qpuEstimates)
        }
    }

    mutating func finish(_ id: Int64, _ state: TaskState, reason: String?) {
        guard live[id] != nil else { return }
        live[id]!.reason = reason
        live[id]!.endedAt = live[id]!.endedAt ?? now
        setState(id, state, reason: reason)
    }

    // MARK: - Tick

    mutating func requestTick() {
        guard !tickPending else { return }
        tickPending = true
        effects.append(.tick)
    }

    /// One round: feed workflows, schedule, persist everything, then talk to agents.
    mutating func tick() {
        // Rounds asked for while feeding the workflows are this one: its scheduling comes after.
        tickPending = true
        if !workflowChanges.isEmpty {
            let changes = workflowChanges
            workflowChanges.removeAll()
            feedWorkflows(changes)
        }
        let bindings = stopping ? [] : scheduler.schedule(now: now, limit: config.bindBatch)
        tickPending = false
        for b in bindings { bind(b) }
        flushBatch()
        flushMessages()
        if bindings.count == config.bindBatch { requestTick() }
        resolveWaiters()
    }

    mutating func bind(_ b: Binding) {
        guard var row = live[b.task] else { scheduler.release(b.task); return }
        row.attempt += 1
        lastBindings[b.task] = nil
        row.agent = b.placements[0].agent
        row.binding = b
        row.boundAt = now
        row.startedAt = nil
        row.endedAt = nil
        row.notBefore = nil
        live[b.task] = row
        // The placement goes into the journal so reports and the dashboard can draw each task on the
        // cores, GPUs and QPU slots it held without asking the store for bindings.
        setState(b.task, .bound, stage: workflowTasks[b.task]?.stage, detail: Self.placementDetail(b))
        if let q = b.qpu { journal(.leaseAcquired, task: b.task, attempt: row.attempt, agent: row.agent, state: q.device) }
        if let c = scheduler.takeChoice(of: b.task) {
            journal(.deviceChosen, task: b.task, attempt: row.attempt, agent: row.agent, state: c.chosen.device,
                    detail: Self.deviceChoiceDetail(c))
        }
        let hosts = b.placements.count > 1 ? b.placements.map { agents[$0.agent]?.hostname ?? "?" } : nil
        outbox[row.agent!, default: []].append(Assignment(key: TaskKey(task: b.task, attempt: row.attempt), specID: row.specID,
                                                          template: specs[row.specID]!, arrayIndex: row.arrayIndex, binding: b,
                                                          gangHosts: hosts))
    }

    /// Moves what changed into a `persist` effect. Tasks that ended leave memory once it is durable.
    mutating func flushBatch() {
        batch.tasks.reserveCapacity(dirty.count)
        var ended: [Int64] = []
        for id in dirty {
            guard let r = live[id] else { continue }
            batch.tasks.append(r)
            if r.state.isTerminal { ended.append(id) }
        }
        dirty.removeAll(keepingCapacity: true)
        for id in dirtyAgents {
            guard let a = agents[id] else { continue }
            batch.agents.append(AgentRow(id: a.id, uuid: a.uuid, hostname: a.hostname, pilot: a.pilot, resources: a.resources,
                                         state: a.state.rawValue, registeredAt: a.registeredAt, lastSeen: a.lastSeen,
                                         deadline: a.deadline))
        }
        dirtyAgents.removeAll()
        guard !batch.isEmpty else { return }
        persistNumber += 1
        effects.append(.persist(persistNumber, batch))
        if !ended.isEmpty { ending.append((persistNumber, ended)) }
        batch = WriteBatch()
    }

    /// Durable now: ended tasks leave memory.
    mutating func committed(_ n: UInt64) {
        while let first = ending.first, first.batch <= n {
            ending.removeFirst()
            for id in first.tasks {
                guard let r = live[id], r.state.isTerminal, scheduler.binding(of: id) == nil, !dirty.contains(id) else { continue }
                live[id] = nil
                specRefs[r.specID, default: 1] -= 1
                if specRefs[r.specID] == 0 { specRefs[r.specID] = nil; specs[r.specID] = nil }
            }
        }
    }

    mutating func flushMessages() {
        var agentsWithNews = Set(outbox.keys)
        agentsWithNews.formUnion(cancels.keys)
        agentsWithNews.formUnion(acks.keys)
        for agent in agentsWithNews.sorted() {
            let assign = outbox.removeValue(forKey: agent) ?? []
            let cancel = cancels.removeValue(forKey: agent) ?? []
            let ack = acks.removeValue(forKey: agent) ?? []
            guard let conn = agents[agent]?.link else { continue }
            effects.append(.send(conn, .tasks(assign: assign, cancel: cancel, ack: ack)))
        }
    }

    // MARK: - Timers

    /// Retry backoffs, lost agents, expired waits, Slurm polls.
    mutating func timer() {
        var changed = false
        while let top = delayed.min, top.at <= now {
            _ = delayed.removeMin()
            guard let row = live[top.id], row.state == .ready, row.notBefore != nil else { continue }
            live[top.id]!.notBefore = nil
            let s = template(of: row)
            scheduler.enqueue(top.id, request: s.request, priority: row.priority, time: s.timeRequest, estimates: s.qpuEstimates)
            changed = true
        }
        for id in agents.keys.sorted() {
            guard let a = agents[id], a.state == .active || a.state == .disconnected else { continue }
            if now - a.lastSeen > config.heartbeatTimeout {
                loseAgent(id, reason: "no heartbeat for \(Int(config.heartbeatTimeout)) s")
                changed = true
            }
        }
        if changed || !dirty.isEmpty || !batch.isEmpty { requestTick() }
        pollPilotsIfDue()
        resolveWaiters()
    }

    mutating func shutdown() {
        stopping = true
        flushBatch()
        for w in waiters {
            let (r, gone) = waitResponse(for: w.ids)
            effects.append(.reply(w.reply, .wait(r, uncounted: gone)))
        }
        waiters.removeAll()
    }
}
