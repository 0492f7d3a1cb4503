import PilotCore
import PilotLaunch
import PilotProtocol
import PilotTopology

public struct AgentConfig: Sendable {
    public enum Launcher: String, Sendable { case process, null }

    public var managerHost: String
    public var agentPort: Int
    public var token: String
    /// The manager's certificate fingerprint (`sha256:HEX`): the agent channel is TLS and the manager
    /// must present exactly that certificate before the token is sent. nil: plain TCP (`--insecure` managers).
    public var tlsFingerprint: String?
    /// When set, `access.json` there is re-read before each reconnect (the manager may come back on new ports).
    public var serverDir: String?
    /// When set (`--token-file`), the token (and, for an access file, the fingerprint) is re-read from
    /// it before each reconnect, so a rotated token reaches agents that reconnect.
    public var tokenFile: String?
    public var uuid: String
    public var hostname: String
    public var pilot: String?
    /// What agents of this node and pilot share at the start of their ids, whatever made them unique.
    public var uuidNodePrefix: String { "\(hostname)-\(pilot ?? "local")-" }
    public var resources: NodeResources
    /// When the allocation ends (Unix seconds); nil outside Slurm.
    public var deadline: Double?
    public var logDir: String
    public var launcher: Launcher = .process
    /// PU → real CPU for pinning when the advertised topology is synthetic; nil pins exactly.
    public var cpuMap: [Int: Int]?
    /// Grace for running tasks after SIGTERM when there is no walltime deadline.
    public var drainGrace: Double = 30
    /// Running tasks are stopped this long before the deadline so their requeue reaches the manager.
    public var drainMargin: Double = 5
    public var environment: [String: String] = [:]
    public var killGrace: Double = 5
    /// How many tasks per core this agent accepts (1 running + the rest queued here), told to the
    /// manager in the hello; the manager uses the smaller of this and its own setting.
    public var prefetch: Int = Scheduler.defaultPrefetch
    /// How long a start waits before it is reported on its own; a task that ends sooner is reported
    /// once, with its start time in its outcome. 0 reports every start in the next message.
    public var startReportDelay: Double = 0.02
    /// How long finished outcomes may wait to go out together while every PU (and GPU) is still
    /// busy, i.e. each exit was followed by a queued successor: nothing idles on the manager's
    /// answer then, and one report of several outcomes costs the manager one commit, not several.
    /// 0 reports every outcome in the next message. 10 ms rather than 2: with many short tasks
    /// queued per core the manager then commits far less often (Benchmarks/README.md, session 9),
    /// and an idle core still sends at once.
    public var finishReportDelay: Double = 0.010
    /// How many tasks may queue in the launcher behind a core's running task, to start there the
    /// moment it exits. Past one, the launcher holds exits that left every freed core running, with
    /// more queued, for up to `launchReportDelay`, so the agent's event loop wakes once for several.
    public var successorDepth: Int = 8
    /// See `successorDepth`; 0 hands every exit to the event loop at once.
    public var launchReportDelay: Double = 0.002
    /// The `pilot` executable, which gang ranks start through (`pilot rank-exec`) to pin themselves;
    /// nil: gang ranks are not pinned.
    public var executable: String?
    /// GPU vendors hwloc reported, by device name; names it misses are guessed
    /// from the name (`rsmi0` AMD, `ze0` Intel), and unknown ones get CUDA_VISIBLE_DEVICES only.
    public var gpuVendors: [String: GPUVendor] = [:]
    /// QPUs this job was granted through QRMI (type `qrmi`); their settings are
    /// handed to tasks bound to them.
    public var qrmiResources: [QRMIResource] = []
    /// How a task's descendants are ended with it (see `TaskContainment`); nil: cgroups where the
    /// agent can create them, else the subreaper fallback.
    public var containment: TaskContainment.Mechanism?
    /// The most a task may write to each of its stdout and stderr files; past it the task is killed
    /// and the attempt fails saying so (see OutputWatch). 0: no limit.
    public var outputLimit: Int64 = 1 << 30
    /// After this long without reaching a manager the agent stops its tasks, keeps their results on
    /// disk for the next agent on this node, and exits (within a Slurm job, never past its end).
    public var managerLostTimeout: Double = 600

    public init(managerHost: String, agentPort: Int, token: String, uuid: String, hostname: String,
                resources: NodeResources, logDir: String) {
        self.managerHost = managerHost
        self.agentPort = agentPort
        self.token = token
        self.uuid = uuid
        self.hostname = hostname
        self.resources = resources
        self.logDir = logDir
    }
}

/// Runs built-in kernels (quantum jobs) inside the agent; supplied by the executable, which links them.
/// `environment` is what a command task with the same assignment would get, for a kernel that starts
/// a process of its own (QRMI's task runner on a `qrmi` QPU); empty for any other assignment.
public typealias KernelRunner = @Sendable (TaskAssignment, _ threads: Int, _ environment: [String: String]) async -> TaskOutcome
