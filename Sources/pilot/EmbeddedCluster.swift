import Foundation
import Logging
import PilotAgent
import PilotCore
import PilotManager
import PilotMiniApps
import PilotProtocol
import PilotTopology
import ServiceLifecycle

/// A manager and one local agent in this process, talking over loopback exactly as they would
/// across nodes: what `pilot run` and `pilot bench` use when no manager is running.
final class EmbeddedCluster: Sendable {
    let runtime: ManagerRuntime
    let group: ServiceGroup
    let groupTask: Task<Void, any Error>
    let agents: [Agent]
    let agentTasks: [Task<Void, Never>]
    let client: PilotClient
    let serverDir: String
    let cores: Int
    let gpus: Int
    let qpuSlots: Int
    let removeDir: Bool

    static func start(serverDir: String? = nil, topology: NodeTopology, launcher: AgentConfig.Launcher = .process,
                      agents count: Int = 1, heartbeatTimeout: Double = 20, prefetch: Int = Scheduler.defaultPrefetch, metrics: Bool = true,
                      latencyScale: Double = 1, log: Logger) async throws -> EmbeddedCluster {
        let dir = serverDir ?? makeTempDir()
        var cfg = ManagerConfig(serverDir: dir)
        cfg.heartbeatTimeout = heartbeatTimeout
        // Manager, agents and client share one process and the loopback interface (the manager's
        // default host): nothing crosses a network, so TLS would only add cost to every frame.
        cfg.tls = false
        cfg.prefetch = prefetch
        cfg.metrics = metrics
        cfg.devices = try QPUDevices.load(nil)
        cfg.deviceProfiles = try QPUDevices.profiles(nil)
        cfg.iterativeDrivers = MiniAppDrivers.factory(pilotExecutable: ProjectFiles.pilotBinary,
                                                          deviceSlots: QPUDevices.slots(cfg.devices))
        cfg.pilotBinary = ProjectFiles.pilotBinary
        let rt = try await ManagerRuntime.start(cfg, logger: log)
        let group = ServiceGroup(services: rt.services, gracefulShutdownSignals: [], logger: log)
        let gt = Task { try await group.run() }
        guard let access = await rt.ready() else { throw CLIError("the embedded manager did not start") }
        var agents: [Agent] = []
        var tasks: [Task<Void, Never>] = []
        var resources = NodeResources(topology: topology)
        for i in 0..<count {
            resources.hostname = count == 1 ? topology.hostname : "\(topology.hostname)-\(i)"
            var ac = AgentConfig(managerHost: "127.0.0.1", agentPort: access.agentPort, token: access.token,
                                 uuid: "embedded-\(i)-\(getpid())", hostname: resources.hostname, resources: resources,
                                 logDir: dir + "/logs")
            ac.tlsFingerprint = access.tlsFingerprint
            ac.launcher = launcher
            ac.prefetch = prefetch
            ac.cpuMap = CPUMapping.forAdvertised(resources)
            // An agent-channel loop: the agent's frames are read and written where its connection lives.
            let a = Agent(config: ac, logger: log, kernel: QuantumBridge.kernel(log: log, latencyScale: latencyScale), eventLoop: rt.agentLoops.next())
            agents.append(a)
            tasks.append(Task { await a.run() })
        }
        let client = PilotClient(access: access)
        // Readiness: the manager lists every agent as registered.
        let deadline = Date().addingTimeInterval(30)
        while try await client.summary().agents < count {
            guard Date() < deadline else { throw CLIError("the local agent did not register within 30 s") }
            try await Task.sleep(for: .milliseconds(5))
        }
        return EmbeddedCluster(runtime: rt, group: group, groupTask: gt, agents: agents, agentTasks: tasks, client: client,
                               serverDir: dir, cores: resources.coreCount * count, gpus: resources.gpus.count * count,
                               qpuSlots: cfg.devices.reduce(0) { $0 + $1.slots }, removeDir: serverDir == nil)
    }

    init(runtime: ManagerRuntime, group: ServiceGroup, groupTask: Task<Void, any Error>, agents: [Agent],
         agentTasks: [Task<Void, Never>], client: PilotClient, serverDir: String, cores: Int, gpus: Int, qpuSlots: Int,
         removeDir: Bool) {
        self.runtime = runtime; self.group = group; self.groupTask = groupTask; self.agents = agents
        self.agentTasks = agentTasks; self.client = client; self.serverDir = serverDir; self.cores = cores; self.gpus = gpus
        self.qpuSlots = qpuSlots; self.removeDir = removeDir
    }

    /// `keep`: leave a temporary server directory in place (`pilot run --keep`).
    func stop(keep: Bool = false) async {
        for a in agents { await a.stop() }
        for t in agentTasks { await t.value }
        await group.triggerGracefulShutdown()
        _ = try? await groupTask.value
        if removeDir && !keep { try? FileManager.default.removeItem(atPath: serverDir) }
    }

    static func makeTempDir() -> String {
        var template = Array((NSTemporaryDirectory() + "pilot-run-XXXXXX").utf8CString)
        return template.withUnsafeMutableBufferPointer { p in String(cString: mkdtemp(p.baseAddress!)!) }
    }

    /// Blocks until every task is terminal, drawing a progress bar on a terminal.
    func waitAll(progress: Bool) async throws -> WaitResponse {
        var bar = ProgressBar()
        while true {
            let w = try await client.wait(timeout: 1)
            if progress {
                bar.draw(done: w.summary.count(.done), failed: w.summary.count(.failed) + w.summary.count(.canceled),
                         total: w.summary.total, running: w.summary.count(.running), force: w.finished)
            }
            if w.finished { if progress { bar.finish() }; return w }
        }
    }

    /// All tasks, paged.
    func allTasks() async throws -> [TaskInfo] {
        var out: [TaskInfo] = []
        var after: Int64 = 0
        while true {
            let page = try await client.tasks(limit: 10_000, after: after)
            out += page
            guard let last = page.last, page.count == 10_000 else { return out }
            after = last.id
        }
    }
}
