import PilotCore
import PilotProtocol
import PilotSlurm
import PilotWorkflow

/// Identifies one agent connection; the agent channel numbers them.
public typealias ConnectionID = UInt64

/// Identifies one API request waiting for its answer; the shell numbers them.
public typealias ReplyID = UInt64

/// Everything that can happen to the manager. The reactor sees nothing else: no socket, no clock,
/// no file. Each event comes with the time it arrived (see `ManagerReactor.handle`).
public enum ManagerEvent: Sendable {
    // API requests
    case submit(SubmitRequest, reply: ReplyID)
    case cancel([Int64], reply: ReplyID)
    case submitWorkflow(WorkflowSubmitRequest, reply: ReplyID)
    case retryWorkflow(Int64, reply: ReplyID)
    case wait(ids: [Int64], timeout: Double, reply: ReplyID)
    case reservePilot(reply: ReplyID)
    case submitPilot(PreparedPilot, reply: ReplyID)
    case cancelPilot(String, reply: ReplyID)
    case drainPilot(String, PilotDrainRequest, reply: ReplyID)
    /// Every agent, in a pilot or not (`pilot manager stop --agents`).
    case drainAgents(PilotDrainRequest, reply: ReplyID)
    /// Ended tasks read from the store, to run again as new tasks.
    case resubmit([ResubmitItem], reply: ReplyID)
    case addAllocQueue(AllocQueueRequest, shape: PilotShape? = nil, reply: ReplyID)
    case removeAllocQueue(Int, reply: ReplyID)
    case resumeAllocQueue(Int, reply: ReplyID)
    /// A new access token to keep (the shell made it; it puts it in force once this is durable).
    /// `reason` is set when a rotation is undone.
    case rotateToken(token: String, graceSeconds: Double, reason: String?, reply: ReplyID)

    // Agent channel (already authenticated by the shell)
    case agentHello(AgentHello, connection: ConnectionID)
    case agentMessage(AgentEnvelope, connection: ConnectionID)
    case agentDisconnected(connection: ConnectionID)

    // Time
    /// A scheduling round the reactor asked for (`ManagerEffect.tick`).
    case tick
    /// The periodic timer: retry backoffs, heartbeat timeouts, expired waits, Slurm polls.
    case timer

    // Slurm
    case slurmSubmitted(pilot: String, Result<SlurmJobID, SlurmError>)
    case slurmCancelled(pilot: String, error: SlurmError?, reply: ReplyID?)
    /// One cluster's answer to a poll (`cluster == nil`: the manager's own).
    case slurmStates([SlurmJobInfo], asked: [SlurmJobID], cluster: SlurmCluster? = nil)
    case slurmPollFailed(String)

    // Offloaded work
    case workflowPrepared(id: Int64, Result<PreparedWorkflow, ManagerError>, reply: ReplyID)
    case cutPlanned(workflow: Int64, stage: String, answer: WorkflowEvent, summary: CutSummary?)

    // Store
    /// Persist effects up to this number are durable.
    case committed(UInt64)

    case shutdown
}

/// A pilot request the shell has loaded and rendered once (so a bad profile is refused before
/// anything is stored). The Slurm worker renders it again with the pilot's id.
public struct PreparedPilot: Sendable {
    public var pilot: String
    public var profilePath: String
    public var profileName: String
    public var nodes: Int
    public var overrides: PilotOverrides?
    public var requestJSON: String?
    /// The profile's cluster and node shape.
    public var shape: PilotShape
    public init(pilot: String, profilePath: String, profileName: String, nodes: Int, overrides: PilotOverrides?, requestJSON: String?,
                shape: PilotShape = PilotShape()) {
        self.pilot = pilot; self.profilePath = profilePath; self.profileName = profileName; self.nodes = nodes
        self.overrides = overrides; self.requestJSON = requestJSON; self.shape = shape
    }
}

/// A workflow file parsed, its engine built and started, on the work pool.
public struct PreparedWorkflow: Sendable {
    public var workflow: Workflow
    public var request: WorkflowSubmitRequest
    public var dir: String
    public var engine: WorkflowEngine
    public var actions: [WorkflowAction]
    public init(workflow: Workflow, request: WorkflowSubmitRequest, dir: String, engine: WorkflowEngine, actions: [WorkflowAction]) {
        self.workflow = workflow; self.request = request; self.dir = dir; self.engine = engine; self.actions = actions
    }
}

/// What the journal and log say of a cut plan.
public struct CutSummary: Sendable, Hashable, Codable {
    public var cuts: Int
    public var fragments: Int
    public var subexperiments: Int
    public var gateCuts: Int = 0
    /// For a stage the optimizer planned: the chosen plan, its predicted makespan (seconds), the
    /// devices it uses and the runners-up.
    public var plan: String?
    public var predictedMakespan: Double?
    public var devices: [String]?
    public var runnersUp: [RunnerUp]?

    public struct RunnerUp: Sendable, Hashable, Codable {
        public var plan: String
        public var predictedMakespan: Double
        public init(plan: String, predictedMakespan: Double) { self.plan = plan; self.predictedMakespan = predictedMakespan }
    }

    public init(cuts: Int, fragments: Int, subexperiments: Int, gateCuts: Int = 0, plan: String? = nil,
                predictedMakespan: Double? = nil, devices: [String]? = nil, runnersUp: [RunnerUp]? = nil) {
        self.cuts = cuts; self.fragments = fragments; self.subexperiments = subexperiments; self.gateCuts = gateCuts
        self.plan = plan; self.predictedMakespan = predictedMakespan; self.devices = devices; self.runnersUp = runnersUp
    }
}
