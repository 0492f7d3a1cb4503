import Foundation
import PilotCore
import PilotQuantum
import PilotWorkflow
import PilotSlurm

public struct ManagerConfig: Sendable {
    public var serverDir: String
    /// Loopback by default: a routable address only when asked.
    public var host: String = "127.0.0.1"
    public var port: Int = 0
    public var agentPort: Int = 0
    /// Mint a new token at start instead of keeping the previous one (agents holding the old one
    /// are refused until they read the new access.json).
    public var rotateToken = false
    /// TLS on the API and the agent channel with the manager's self-signed certificate (made at the
    /// first start, kept in the server directory). Off: plain HTTP and TCP, the token in clear, which
    /// a non-loopback `host` refuses unless `insecure` is set too.
    public var tls = true
    /// Plain text on any address (warned about when it is not loopback); implies `tls = false`.
    public var insecure = false
    public var heartbeatInterval: Double = 2
    /// An agent silent this long is lost: its tasks are requeued and its leases released.
    public var heartbeatTimeout: Double = 20
    /// First retry delay; doubles per failure up to `maxRetryDelay`.
    public var retryDelay: Double = 1
    public var maxRetryDelay: Double = 60
    /// Bindings handed out per scheduling round, so a million-task backlog streams in bounded batches.
    public var bindBatch: Int = 20_000
    public var devices: [QPUDeviceInfo] = []
    /// The full profiles of `devices`: what the cutting optimizer plans `auto` stages with.
    public var deviceProfiles: [QPUDeviceProfile] = []
    /// Tasks bound per core at once: 1 running plus `prefetch - 1` queued at the agent, which starts
    /// the next the moment a core frees instead of waiting a report → commit → bind → send round trip.
    /// 2 hides that round trip for tasks longer than it (~1 ms); deeper only adds tasks that cannot
    /// move to another agent that frees up sooner. Agents that do not advertise support get 1.
    public var prefetch: Int = Scheduler.defaultPrefetch
    public var version: String = "0.1.0"
    /// Built-in iterative drivers (vqe, qml) the workflow engine may use.
    public var iterativeDrivers: IterativeDriverFactory = WorkflowEngine.commandDriversOnly
    /// This executable, for tasks the manager generates (e.g. a cutting stage's reconstruction).
    public var pilotBinary: String = URL(fileURLWithPath: CommandLine.arguments.first ?? "pilot").resolvingSymlinksInPath().path
    /// Slurm for pilots; nil: `pilots.makeClient` creates one when a pilot command is first used.
    public var slurm: (any SlurmClient)?
    public var pilots = PilotSettings()
    /// How much of the event journal the store keeps (by count and by age).
    public var journalRetention = JournalRetention()
    /// Seconds between timer events (retry backoffs, heartbeat timeouts, expired waits, Slurm polls).
    public var timerInterval: Double = 0.25
    /// Whether `/metrics` is served and the journal is counted for it.
    public var metrics = true

    public init(serverDir: String) { self.serverDir = serverDir }
}
