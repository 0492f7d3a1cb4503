import Logging
import PilotCore
import PilotProtocol
import PilotSlurm
import PilotStore
import PilotWorkflow

/// What the reactor asks the shell to do. Order matters: an effect that follows a `persist` is
/// carried out only once that batch is durable (bind-before-send, reply-after-commit).
public enum ManagerEffect: Sendable {
    /// One write batch, numbered; the shell answers with `ManagerEvent.committed(number)`.
    case persist(UInt64, WriteBatch)
    /// A message for one agent connection; the channel chooses its encoding.
    case send(ConnectionID, AgentMessage)
    case close(ConnectionID)
    case reply(ReplyID, ManagerReply)
    case slurm(SlurmRequest)
    case offload(OffloadWork)
    /// Deliver a `tick` soon; repeated requests before it arrives are one.
    case tick
    case log(Logger.Level, String)
}

/// A message to an agent, before encoding.
public enum AgentMessage: Sendable {
    case welcome(Welcome)
    /// One scheduling round's news for an agent: new tasks, tasks to stop, outcomes now durable.
    case tasks(assign: [Assignment], cancel: [TaskKey], ack: [TaskKey])
    case drain(DrainOrder)
    case error(APIErrorBody)
}

/// A bound task on its way to its agent. The channel sends array members of agents that take
/// templates as references (`AssignmentRef`), each template once per connection.
public struct Assignment: Sendable {
    public var key: TaskKey
    public var specID: Int64
    /// The template, not yet instantiated for `arrayIndex`.
    public var template: TaskSpec
    public var arrayIndex: Int?
    public var binding: Binding
    public var gangHosts: [String]?

    public var spec: TaskSpec { arrayIndex.map { template.instantiated(index: $0) } ?? template }

    public var full: TaskAssignment {
        TaskAssignment(key: key, spec: spec, placement: binding.placements[0], gangHosts: gangHosts, qpu: binding.qpu,
                       gangPlacements: gangHosts == nil ? nil : binding.placements)
    }
}

public enum ManagerReply: Sendable {
    case submitted(SubmitResponse)
    case canceled([Int64])
    case workflow(WorkflowInfo)
    case pilotID(String)
    case pilot(PilotInfo)
    case queue(AllocQueueInfo)
    /// How many agents were told to drain.
    case draining(Int)
    /// `uncounted`: ended tasks no longer in memory, whose failures the shell counts from the store.
    case wait(WaitResponse, uncounted: [Int64])
    case failed(ManagerError)
    /// The change asked for is durable.
    case stored
}

public enum SlurmRequest: Sendable {
    /// Render the pilot's job script and submit it; answer with `slurmSubmitted`.
    case submit(PreparedPilot)
    /// `cluster == nil`: the manager's own cluster (libslurm); else that cluster's commands.
    case cancel(pilot: String, job: SlurmJobID, cluster: SlurmCluster?, reply: ReplyID?)
    /// One poll per cluster: job ids are only unique within one.
    case poll([SlurmJobID], cluster: SlurmCluster?)
}

/// CPU-heavy or file-reading work for the pool; each answers with an event.
public enum OffloadWork: Sendable {
    case prepareWorkflow(id: Int64, request: WorkflowSubmitRequest, dir: String, reply: ReplyID)
    case planCut(CutJob)
}

/// A cutting stage's plan to make: read or generate the circuit, cut it, write `plan.json` and
/// `exact.json` into the stage's outputs, and build the sub-experiment and reconstruction tasks.
public struct CutJob: Sendable {
    public var workflow: Int64
    public var stage: String
    public var plan: CuttingStagePlan
    public var template: TaskSpec
    /// Where relative circuit paths are read from.
    public var baseDir: String
    public var outputs: String
    public var seed: UInt64
    public var pilotBinary: String
    /// For a stage the optimizer plans (`auto`): slots and queues as the reactor saw them when it
    /// asked, so the plan accounts for busy devices without the pool reading the reactor's state.
    public var load: Occupancy? = nil
}
