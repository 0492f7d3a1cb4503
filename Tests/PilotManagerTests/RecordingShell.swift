import Foundation
import Logging
import PilotCore
import PilotProtocol
import PilotSlurm
import PilotStore
import PilotWorkflow
@testable import PilotManager

/// A synchronous shell around the reactor for tests, in the manner of tako's `TestComm`: it records
/// every effect, applies batches to a real store, runs Slurm requests against a scripted Slurm and
/// offloaded work inline, and feeds the answers back until the reactor is quiet.
final class RecordingShell {
    var reactor: ManagerReactor
    let store: PilotStore
    let config: ManagerConfig
    let slurm: FakeSlurmClient?
    /// Scripted Slurms of the other clusters profiles name, by `ClusterName`.
    var clusterSlurms: [String: FakeSlurmClient] = [:]
    /// The clock events are stamped with; tests may move it.
    var clock: () -> Double
    /// Every effect, in order, as the reactor emitted it.
    private(set) var effects: [ManagerEffect] = []
    /// Messages per connection, encoded as the agent channel would.
    private(set) var sent: [ConnectionID: [ManagerEnvelope]] = [:]
    private(set) var closed: Set<ConnectionID> = []
    private(set) var replies: [ReplyID: ManagerReply] = [:]
    private(set) var journal: [JournalRecord] = []
    private var connections: [ConnectionID: AgentChannel.Encoding] = [:]
    private var nextConnection: ConnectionID = 1
    private var nextReply: ReplyID = 1
    private var followUps: [ManagerEvent] = []
    /// Whether `tick` effects are delivered at once (the real shell delivers them soon after).
    var autoTick = true

    init(config: ManagerConfig, store: PilotStore, slurm: FakeSlurmClient?, clock: @escaping () -> Double = { Date().timeIntervalSince1970 }) throws {
        self.config = config
        self.store = store
        self.slurm = slurm
        self.clock = clock
        reactor = ManagerReactor(config: config, snapshot: try ReactorSnapshot.load(from: store), now: clock())
        process(reactor.handle(.tick, now: clock()))
        drain()
    }

    // MARK: - Driving

    @discardableResult
    func post(_ event: ManagerEvent) -> [ManagerEffect] {
        let fx = reactor.handle(event, now: clock())
        process(fx)
        drain()
        return fx
    }

    private func drain() {
        while !followUps.isEmpty {
            let e = followUps.removeFirst()
            process(reactor.handle(e, now: clock()))
        }
    }

    private func process(_ fx: [ManagerEffect]) {
        effects += fx
        for e in fx {
            switch e {
            case .persist(let n, let b):
                try! store.apply(b)
                journal += b.journal
                followUps.append(.committed(n))
            case .send(let conn, let m):
                var c = connections[conn] ?? AgentChannel.Encoding()
                switch m {
                case .welcome(let w): sent[conn, default: []].append(.welcome(w))
                case .drain(let d): sent[conn, default: []].append(.drain(d))
                case .error(let err): sent[conn, default: []].append(.error(err))
                case .tasks(let a, let cancel, let ack):
                    sent[conn, default: []] += AgentChannel.encode(assign: a, cancel: cancel, ack: ack, encoding: &c)
                    connections[conn] = c
                }
            case .close(let conn): closed.insert(conn)
            case .reply(let id, let r): replies[id] = r
            case .slurm(let req): performSlurm(req)
            case .offload(let w): followUps.append(OffloadedWork.run(w, drivers: config.iterativeDrivers))
            case .tick: if autoTick { followUps.append(.tick) }
            case .log: break
            }
        }
    }

    private func performSlurm(_ req: SlurmRequest) {
        guard let defaultSlurm = self.slurm else { return }
        func slurm(_ c: SlurmCluster?) throws(SlurmError) -> FakeSlurmClient {
            guard let c else { return defaultSlurm }
            guard let s = clusterSlurms[c.name] else { throw SlurmError(.controllerUnreachable, "no scripted Slurm for \(c)") }
            return s
        }
        switch req {
        case .submit(let p):
            do {
                let job = try PilotJob.prepare(p.profilePath, overrides: p.overrides, pilot: p.pilot, config: config)
                followUps.append(.slurmSubmitted(pilot: p.pilot, .success(try slurm(p.shape.cluster).submit(job.request))))
            } catch let e as SlurmError {
                followUps.append(.slurmSubmitted(pilot: p.pilot, .failure(e)))
            } catch {
                followUps.append(.slurmSubmitted(pilot: p.pilot, .failure(SlurmError(.invalidRequest, "\(error)"))))
            }
        case .cancel(let pilot, let job, let cluster, let reply):
            do {
                try slurm(cluster).cancel(job, signal: nil)
                followUps.append(.slurmCancelled(pilot: pilot, error: nil, reply: reply))
            } catch { followUps.append(.slurmCancelled(pilot: pilot, error: error, reply: reply)) }
        case .poll(let jobs, let cluster):
            do { followUps.append(.slurmStates(try slurm(cluster).jobs(jobs), asked: jobs, cluster: cluster)) } catch {
                followUps.append(.slurmPollFailed("\(error)"))
            }
        }
    }

    /// Posts an API event and returns its reply, or throws the error it carries.
    func call(_ make: (ReplyID) -> ManagerEvent) throws(ManagerError) -> ManagerReply {
        let id = nextReply
        nextReply += 1
        post(make(id))
        guard let r = replies.removeValue(forKey: id) else { throw ManagerError(.internal, "no reply yet") }
        if case .failed(let e) = r { throw e }
        return r
    }

    // MARK: - The old core's vocabulary, for the tests written against it

    func connect() -> ConnectionID {
        defer { nextConnection += 1 }
        return nextConnection
    }

    /// Registers an agent as the channel does; returns its id from the welcome, or the refusal.
    func register(_ hello: AgentHello, connection: ConnectionID? = nil) throws(ManagerError) -> Int {
        let conn = connection ?? connect()
        connections[conn] = AgentChannel.Encoding(binary: hello.binary ?? false, templates: hello.templates ?? false)
        post(.agentHello(hello, connection: conn))
        for m in sent[conn] ?? [] {
            if m.type == .welcome, let w = m.welcome { return w.agentID }
            if m.type == .error, let e = m.error { throw ManagerError(ManagerError.Code(rawValue: e.code) ?? .badRequest, e.message, field: e.field) }
        }
        throw ManagerError(.internal, "no welcome")
    }

    func connection(of agent: Int) -> ConnectionID? { reactor.agents[agent]?.link }

    func handle(_ env: AgentEnvelope, from agent: Int) {
        guard let c = connection(of: agent) else { return }
        post(.agentMessage(env, connection: c))
    }

    func disconnect(_ agent: Int) {
        guard let c = connection(of: agent) else { return }
        post(.agentDisconnected(connection: c))
    }

    func tick() { post(.tick) }

    /// A poll round now, whatever the interval.
    func pollPilots() {
        reactor.pilotBook.lastPoll = -.infinity
        post(.timer)
    }

    func submit(_ req: SubmitRequest) throws(ManagerError) -> SubmitResponse {
        guard case .submitted(let r) = try call({ .submit(req, reply: $0) }) else { throw unexpected() }
        return r
    }

    func cancel(_ ids: [Int64]) throws(ManagerError) -> [Int64] {
        guard case .canceled(let r) = try call({ .cancel(ids, reply: $0) }) else { throw unexpected() }
        return r
    }

    func submitPilot(_ req: PilotSubmitRequest) throws(ManagerError) -> PilotSubmitResponse {
        if req.dryRun == true {
            return PilotSubmitResponse(script: try PilotJob.prepare(req.profile, overrides: req.overrides, pilot: reactor.nextPilotID,
                                                                    config: config, render: false).script)
        }
        guard case .pilotID(let id) = try call({ .reservePilot(reply: $0) }) else { throw unexpected() }
        let job = try PilotJob.prepare(req.profile, overrides: req.overrides, pilot: id, config: config)
        let p = job.prepared(pilot: id, overrides: req.overrides)
        guard case .pilot(let info) = try call({ .submitPilot(p, reply: $0) }) else { throw unexpected() }
        return PilotSubmitResponse(pilot: info)
    }

    func cancelPilot(_ id: String) throws(ManagerError) -> PilotInfo {
        guard case .pilot(let p) = try call({ .cancelPilot(id, reply: $0) }) else { throw unexpected() }
        return p
    }

    func drainPilot(_ id: String, _ req: PilotDrainRequest) throws(ManagerError) -> PilotInfo {
        guard case .pilot(let p) = try call({ .drainPilot(id, req, reply: $0) }) else { throw unexpected() }
        return p
    }

    func addAllocQueue(_ req: AllocQueueRequest) throws(ManagerError) -> AllocQueueInfo {
        var q = req
        let job = try PilotJob.prepare(req.profile, overrides: req.overrides, pilot: "p0", config: config, render: false)
        q.profile = job.path
        let r = q
        guard case .queue(let info) = try call({ .addAllocQueue(r, shape: job.shape, reply: $0) }) else { throw unexpected() }
        return info
    }

    func resumeAllocQueue(_ id: Int) throws(ManagerError) -> AllocQueueInfo {
        guard case .queue(let info) = try call({ .resumeAllocQueue(id, reply: $0) }) else { throw unexpected() }
        return info
    }

    func submitWorkflow(_ req: WorkflowSubmitRequest) throws(ManagerError) -> WorkflowInfo {
        guard case .workflow(let info) = try call({ .submitWorkflow(req, reply: $0) }) else { throw unexpected() }
        return info
    }

    func retryWorkflow(_ id: Int64) throws(ManagerError) -> WorkflowInfo {
        guard case .workflow(let info) = try call({ .retryWorkflow(id, reply: $0) }) else { throw unexpected() }
        return info
    }

    func pilotInfo(_ id: String) throws(ManagerError) -> PilotInfo { try reactor.pilotInfo(id) }
    func pilotList() -> [PilotInfo] { reactor.pilotList() }
    func agentList() -> [AgentInfo] { reactor.agentList() }
    func allocQueueList() -> [AllocQueueInfo] { reactor.allocQueueList() }
    func workflowInfo(_ id: Int64) -> WorkflowInfo? { reactor.workflowInfo(id) }
    func summary() -> Summary { reactor.summary() }

    func taskInfo(_ id: Int64) throws(ManagerError) -> TaskInfo {
        if let l = reactor.liveTaskInfo(id) { return l.info }
        guard let row = try? store.task(id) else { throw ManagerError(.notFound, "no task \(id)") }
        return reactor.info(row)
    }

    func list(state: TaskState?, after: Int64, limit: Int, workflow: Int64? = nil) throws -> [TaskInfo] {
        reactor.overlay(try store.tasks(state: state, after: after, limit: limit, workflow: workflow))
    }

    /// Messages sent on a connection so far.
    func messages(_ conn: ConnectionID) -> [ManagerEnvelope] { sent[conn] ?? [] }

    private var cursors: [ConnectionID: Int] = [:]
    /// Messages sent on a connection since the last call, as an agent reading its socket sees them.
    func unread(_ conn: ConnectionID) -> [ManagerEnvelope] {
        let all = sent[conn] ?? []
        defer { cursors[conn] = all.count }
        return Array(all.dropFirst(cursors[conn] ?? 0))
    }
}
