/// Lifecycle of a pilot (one Slurm job): `submitting` until Slurm has given it a job id, then it
/// follows Slurm's own state, folded onto the few states a user needs to act on.
public enum PilotState: String, Sendable, Codable, CaseIterable {
    case submitting, pending, running, completed, failed, cancelled, timeout

    public var isFinal: Bool {
        switch self {
        case .submitting, .pending, .running: false
        case .completed, .failed, .cancelled, .timeout: true
        }
    }
}

/// Values that replace the profile's, spelled like sbatch's long options.
/// The pilot API uses snake_case keys, as Slurm users write them.
public struct PilotOverrides: Sendable, Codable, Hashable {
    public var nodes: Int?
    /// A Slurm duration (`30`, `1:00:00`, `1-00:00:00`); a bare number means minutes, as in sbatch.
    public var walltime: String?
    public var partition: String?
    public var account: String?
    public var qos: String?
    public var constraint: String?
    public var gpusPerNode: Int?

    public init(nodes: Int? = nil, walltime: String? = nil, partition: String? = nil, account: String? = nil,
                qos: String? = nil, constraint: String? = nil, gpusPerNode: Int? = nil) {
        self.nodes = nodes; self.walltime = walltime; self.partition = partition; self.account = account
        self.qos = qos; self.constraint = constraint; self.gpusPerNode = gpusPerNode
    }

    enum CodingKeys: String, CodingKey {
        case nodes, walltime, partition, account, qos, constraint
        case gpusPerNode
    }
}

/// `POST /v1/pilots`.
public struct PilotSubmitRequest: Sendable, Codable {
    public var v: Int?
    /// A profile name (`Profiles/<name>.yaml` of the manager's installation) or an absolute path.
    public var profile: String
    public var overrides: PilotOverrides?
    /// Render and return the job script without submitting it.
    public var dryRun: Bool?

    public init(profile: String, overrides: PilotOverrides? = nil, dryRun: Bool = false) {
        self.profile = profile; self.overrides = overrides; self.dryRun = dryRun
    }

    enum CodingKeys: String, CodingKey {
        case v, profile, overrides
        case dryRun
    }
}

/// What a pilot submission returns: the pilot, or for a dry run the script it would submit.
public struct PilotSubmitResponse: Sendable, Codable {
    public var pilot: PilotInfo?
    public var script: String?
    public init(pilot: PilotInfo? = nil, script: String? = nil) { self.pilot = pilot; self.script = script }
}

/// One pilot as `GET /v1/pilots` shows it: Slurm's view joined with the agents it registered.
public struct PilotInfo: Sendable, Codable, Hashable {
    public var id: String
    public var profile: String
    /// The Slurm cluster (`ClusterName`) the pilot runs on: its profile's `cluster:`, else the
    /// manager's own cluster.
    public var cluster: String?
    public var slurmJobID: UInt32?
    public var state: PilotState
    /// Slurm's state reason (why it waits or why it failed), or the manager's when Slurm gave none.
    public var reason: String?
    public var nodeCount: Int
    public var nodes: [String]
    public var submittedAt: Double
    public var startedAt: Double?
    public var endedAt: Double?
    /// When Slurm will end the allocation (Unix seconds).
    public var walltimeEnd: Double?
    /// Agents of this pilot that are registered and not lost.
    public var agents: Int
    public var cores: Int
    public var freeCores: Int
    public var gpus: Int
    public var freeGPUs: Int
    public var runningTasks: Int
    /// The allocation queue that submitted it, when autoscaled.
    public var queue: Int?
    /// When a drain was requested (`pilot pilots drain`, or the job script forwarding Slurm's
    /// walltime warning) and until when its running tasks may run.
    public var drainRequestedAt: Double?
    public var drainDeadline: Double?

    public init(id: String, profile: String, slurmJobID: UInt32?, state: PilotState, reason: String?, nodeCount: Int,
                nodes: [String], submittedAt: Double, startedAt: Double?, endedAt: Double?, walltimeEnd: Double?,
                agents: Int = 0, cores: Int = 0, freeCores: Int = 0, gpus: Int = 0, freeGPUs: Int = 0,
                runningTasks: Int = 0, queue: Int? = nil) {
        self.id = id; self.profile = profile; self.slurmJobID = slurmJobID; self.state = state; self.reason = reason
        self.nodeCount = nodeCount; self.nodes = nodes; self.submittedAt = submittedAt; self.startedAt = startedAt
        self.endedAt = endedAt; self.walltimeEnd = walltimeEnd; self.agents = agents; self.cores = cores
        self.freeCores = freeCores; self.gpus = gpus; self.freeGPUs = freeGPUs; self.runningTasks = runningTasks
        self.queue = queue
    }

    enum CodingKeys: String, CodingKey {
        case id, profile, cluster, state, reason, nodes, agents, cores, gpus, queue
        case slurmJobID
        case nodeCount
        case submittedAt
        case startedAt
        case endedAt
        case walltimeEnd
        case freeCores
        case freeGPUs
        case runningTasks
        case drainRequestedAt
        case drainDeadline
    }
}

/// `POST /v1/pilots/:id/drain`: the pilot's agents take no new tasks and stop their running ones
/// at the deadline, reporting them for requeue.
public struct PilotDrainRequest: Sendable, Codable, Hashable {
    public var v: Int?
    /// Unix seconds; nil: each agent's own walltime end.
    public var deadline: Double?
    public var reason: String?
    public init(deadline: Double? = nil, reason: String? = nil) { self.deadline = deadline; self.reason = reason }
}

/// `POST /v1/agents/drain`: how many agents were told.
public struct AgentDrainResponse: Sendable, Codable, Hashable {
    public var agents: Int
    public init(agents: Int) { self.agents = agents }
}

public struct PilotList: Sendable, Codable {
    public var pilots: [PilotInfo]
    public init(pilots: [PilotInfo]) { self.pilots = pilots }
}

/// `POST /v1/token/rotate`: a new bearer token, written to `access.json`; connected agents stay.
public struct TokenRotateRequest: Sendable, Codable, Hashable {
    public var v: Int?
    /// Seconds the previous token still registers agents (reconnecting agents that cannot re-read
    /// `access.json`); nil: 600. 0: refused at once, as for a token that leaked. The API never takes it again.
    public var grace: Double?
    public init(grace: Double? = nil) { self.grace = grace }
}

/// The answer to a rotation. The token itself is not in it: it is in `access.json`, mode 0600.
public struct TokenRotateResponse: Sendable, Codable, Hashable {
    /// Unix seconds until which the previous token still registers agents; nil: not at all.
    public var previousValidUntil: Double?
    /// Agents connected at the rotation, which keep their connections.
    public var agentsConnected: Int
    public init(previousValidUntil: Double?, agentsConnected: Int) {
        self.previousValidUntil = previousValidUntil; self.agentsConnected = agentsConnected
    }
}
