import PilotCore
import PilotProtocol
import PilotStore

/// Reads of the reactor's state. They change nothing and write nothing; tasks that ended and left
/// memory are read from the store by the shell.
extension ManagerReactor {
    public func summary() -> Summary {
        var c: [String: Int] = [:]
        for (s, n) in counts where n > 0 { c[s.rawValue] = n }
        // Built after every batch of events: count without copying 1,000 agent records into an array.
        var active = 0
        for a in agents.values where a.state == .active { active += 1 }
        return Summary(counts: c, agents: active, version: config.version, startedAt: startedAt)
    }

    /// A live task as the API shows it; nil when it is not in memory (ended and committed, or unknown).
    public func liveTaskInfo(_ id: Int64) -> (info: TaskInfo, spec: TaskSpec?)? {
        guard let row = live[id] else { return nil }
        var i = info(row)
        i.binding = row.binding
        i.result = row.result.map(JSONText.init)
        return (i, specs[row.specID].map { s in row.arrayIndex.map { s.instantiated(index: $0) } ?? s })
    }

    public func info(_ row: TaskRow) -> TaskInfo {
        TaskInfo(id: row.id, name: row.name, state: row.state, attempt: row.attempt, crashes: row.crashes, agent: row.agent,
                 hostname: row.agent.flatMap { agents[$0]?.hostname }, priority: row.priority, exitCode: row.exitCode,
                 signal: row.signal, reason: row.reason, submittedAt: row.submittedAt, startedAt: row.startedAt, endedAt: row.endedAt)
    }

    /// Rows read from the store, with the newer state of those still in memory.
    public func overlay(_ rows: [TaskRow]) -> [TaskInfo] {
        rows.map { row in live[row.id].map(info) ?? info(row) }
    }

    public func agentList() -> [AgentInfo] {
        agents.values.sorted { $0.id < $1.id }.map { a in
            let u = scheduler.usage(of: a.id)
            var info = AgentInfo(id: a.id, uuid: a.uuid, hostname: a.hostname, pilot: a.pilot,
                                 state: a.draining && a.state == .active ? "draining" : a.state.rawValue,
                                 cores: a.resources.coreCount, freeCores: u?.freeCores ?? 0, gpus: a.resources.gpus.count,
                                 freeGPUs: u?.freeGPUs ?? 0, tasks: u?.tasks ?? 0, deadline: a.deadline, lastSeen: a.lastSeen,
                                 resources: a.resources)
            info.registeredAt = a.registeredAt
            return info
        }
    }

    /// The last journal sequence number given out.
    public var lastSeq: Int64 { nextSeq - 1 }
    public var liveTaskCount: Int { live.count }
    public var queuedCount: Int { scheduler.queuedCount }
}
