import ArgumentParser
import Foundation
import Logging
import PilotAgent
import PilotCore
import PilotLaunch
import PilotProtocol
import PilotTopology

struct TopologyFlags: ParsableArguments {
    @Option(help: "native, synthetic:\"package:2 numa:2 core:8 pu:1\", or xml:FILE.") var topology = "native"
    @Option(name: .customLong("fake-gpus"), help: "Fake GPUs per NUMA domain (for tests and simulations).") var fakeGPUs = 0

    func load(restrictTo pus: [Int]? = nil, visibleGPUs: [Int]? = nil) throws -> NodeTopology {
        let source: TopologySource
        if topology == "native" { source = .native }
        else if topology.hasPrefix("synthetic:") { source = .synthetic(String(topology.dropFirst("synthetic:".count))) }
        else if topology.hasPrefix("xml:") { source = .xml(path: String(topology.dropFirst(4))) }
        else { throw ValidationError("--topology must be native, synthetic:\"...\" or xml:FILE, got '\(topology)'") }
        var opts = TopologyOptions(source: source)
        opts.fakeGPUsPerNUMA = fakeGPUs
        opts.restrictToPUs = pus
        opts.visibleGPUs = visibleGPUs
        do { return try TopologyLoader.load(opts) } catch { throw CLIError("topology: \(error)") }
    }
}

struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent", abstract: "Run an agent on this node: register its resources with the manager and run tasks.")

    @OptionGroup var server: ServerOptions
    @Option(help: "Manager agent address HOST:PORT (instead of reading access.json from --server-dir).") var manager: String?
    @Option(help: "File holding the token (mode 0600), with --manager: the manager's access.json (which also carries its TLS fingerprint) or a bare token. Re-read before each reconnect.")
    var tokenFile: String?
    @Option(help: "The manager's certificate fingerprint (sha256:HEX, tls_fingerprint in access.json), with --manager and a bare token file.")
    var tlsFingerprint: String?
    @Flag(help: "With --manager and a bare token file: the manager has no TLS (started with --insecure or --no-tls); the token goes in clear.")
    var insecure = false
    @OptionGroup var topo: TopologyFlags
    @Option(help: "Pilot this agent belongs to.") var pilotId: String?
    @Option(help: "User-defined resources this node offers (licenses, …), NAME=N (repeatable); tasks ask for them with --custom.") var custom: [String] = []
    @Option(help: "QPU devices reachable from this node (comma-separated; default: all).") var qpuDevices: String?
    @Option(help: "process (default) or null (tasks complete without a process: measures the system's own cost).")
    var launcher = "process"
    @Option(help: "Unix time at which this node's allocation ends (default inside a Slurm job: $PILOT_WALLTIME_END, else the controller's answer, else now + $PILOT_WALLTIME_SECONDS).")
    var deadline: Double?
    @Option(help: "Seconds running tasks may continue after SIGTERM when there is no walltime deadline.") var drainGrace = 30.0
    @Option(help: "Directory for task stdout/stderr (default: <server dir>/logs).") var logDir: String?
    @Option(help: "Stable agent id (default: derived from host, pilot and Slurm job).") var uuid: String?
    @Option(help: "Log level.") var logLevel: String?
    @Option(help: "Tasks per core this agent accepts: 1 running + N-1 queued here (1: no prefetch; past 2 only for tasks known to run ≤ 50 ms, past 4 only for those of ≤ 2 ms).") var prefetch = Scheduler.defaultPrefetch
    @Option(help: "How a task's leftover processes are ended with it: auto (a cgroup per task where the agent can create one, else subreaper), cgroup, subreaper, none.")
    var containment = "auto"
    @Option(help: "Exit after this long without a manager, stopping running tasks and keeping their outcomes for the next agent on this node [duration; bare number: minutes]; inside a Slurm job never past its end.")
    var managerLostTimeout = "10m"
    @Option(help: "Most bytes a task may write to each of stdout and stderr; past it the task is killed and fails saying so (0: no limit).")
    var outputLimit = "1G"

    func run() async throws {
        LogSetup.bootstrap(logLevel)
        let log = Logger(label: "pilot.agent")
        let env = ProcessInfo.processInfo.environment
        // The controller's answer and hwloc's discovery are both on the pilot's start-up path: overlap them.
        let end = deadline == nil && env["PILOT_WALLTIME_END"] == nil && env["SLURM_JOB_ID"] != nil
            ? Task.detached { SlurmAllocation.walltimeEnd(environment: env) } : nil
        var cfg = try makeConfig()
        if let end { cfg.deadline = await end.value }
        for q in cfg.qrmiResources {
            log.info("QPU \(q.name) granted by Slurm through QRMI (type \(QRMIResource.deviceType), resource type \(q.resourceType))")
        }
        let agent = Agent(config: cfg, logger: log, kernel: QuantumBridge.kernel(log: log, qrmi: cfg.qrmiResources,
                                                                                workDirectory: cfg.logDir, killGrace: cfg.killGrace))
        // SIGTERM (scancel, the time limit) and USR1 (sent by hand: Slurm's walltime warning goes to the
        // batch shell, which asks the manager instead) drain.
        let sources = [SIGTERM, SIGUSR1, SIGINT].map { sig -> any DispatchSourceSignal in
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig)
            s.setEventHandler { Task { await agent.drain(reason: sig == SIGUSR1 ? "SIGUSR1 (walltime warning)" : "signal \(sig)") } }
            s.resume()
            return s
        }
        await agent.run()
        // A real use keeps the signal sources alive until here; `_ = sources` did not in a release build.
        for s in sources { s.cancel() }
        if let e = await agent.fatalError { fail(e) }
    }

    func makeConfig() throws -> AgentConfig {
        var host = "127.0.0.1", port = 0, token = ""
        var fingerprint: String?
        var serverDir: String?
        var logDirFromToken: String?
        if let m = manager {
            let parts = m.split(separator: ":")
            guard parts.count >= 2, let p = Int(parts.last!) else { throw ValidationError("--manager must be HOST:PORT") }
            host = parts.dropLast().joined(separator: ":")
            port = p
            guard let tf = tokenFile else { throw ValidationError("--manager needs --token-file") }
            let c: (token: String, tlsFingerprint: String?, accessFile: Bool)
            do { c = try AccessFile.readCredentials(file: tf) } catch { throw CLIError("\(error)") }
            token = c.token
            fingerprint = tlsFingerprint ?? c.tlsFingerprint
            if fingerprint == nil && !insecure && !c.accessFile {
                throw ValidationError("\(tf) carries no TLS fingerprint: give --tls-fingerprint sha256:HEX (tls_fingerprint in the manager's access.json), or --insecure for a manager without TLS")
            }
            if let f = fingerprint, TLSPin(f) == nil { throw ValidationError("--tls-fingerprint must be sha256: and 64 hex digits, got '\(f)'") }
            // A pilot's agents get the manager's access.json as token file: its directory is the
            // server directory (on a shared file system), where the manager looks for task logs.
            if (tf as NSString).lastPathComponent == "access.json" { logDirFromToken = (tf as NSString).deletingLastPathComponent + "/logs" }
        } else {
            serverDir = server.resolved
            let a: AccessFile
            do { a = try AccessFile.read(from: server.resolved) } catch { throw CLIError("\(error)") }
            host = a.host == "0.0.0.0" ? "127.0.0.1" : a.host
            port = a.agentPort
            token = a.token
            fingerprint = a.tlsFingerprint
        }
        let env = ProcessInfo.processInfo.environment
        let slurm = SlurmAllocation(environment: env)
        let visible = env["CUDA_VISIBLE_DEVICES"].flatMap { v in v.isEmpty ? [] : v.split(separator: ",").compactMap { Int($0) } }
        let t = try topo.load(visibleGPUs: topo.fakeGPUs > 0 ? nil : visible)
        let offered: [String: Int]
        do { offered = try ResourceRequest.parseCustom(custom) } catch { throw ValidationError(error.description) }
        var res = NodeResources(topology: t, custom: offered, qpuDevices: qpuDevices.map { $0.split(separator: ",").map(String.init) })
        if let n = slurm?.cpusOnNode { res = res.limited(toCores: n) }
        if let s = slurm, topo.topology == "native", topo.fakeGPUs == 0 { res = s.presenting(res, visibleGPUs: visible) }
        if let g = slurm?.gpusOnNode, topo.fakeGPUs == 0, visible == nil { res.gpus = Array(res.gpus.prefix(g)) }
        // QPUs Slurm granted through QRMI's SPANK plugin (SLURM_JOB_QPU_* / QRMI_JOB_QPU_*).
        let qrmi: [QRMIResource]
        do { qrmi = try QRMIResource.discover(in: env) } catch { throw CLIError("\(error)") }
        res = res.adding(qrmi)
        let hostname = slurm?.nodeName ?? ProcessInfo.processInfo.hostName
        res.hostname = hostname
        let pilot = pilotId ?? env["PILOT_ID"]
        var cfg = AgentConfig(managerHost: host, agentPort: port, token: token,
                              uuid: uuid ?? "\(hostname)-\(pilot ?? "local")-\(slurm?.jobID ?? String(getpid()))",
                              hostname: hostname, resources: res,
                              logDir: logDir ?? serverDir.map { $0 + "/logs" } ?? logDirFromToken ?? FileManager.default.currentDirectoryPath + "/pilot-logs")
        cfg.serverDir = serverDir
        cfg.tokenFile = serverDir == nil ? tokenFile : nil
        cfg.tlsFingerprint = fingerprint
        cfg.pilot = pilot
        cfg.deadline = deadline ?? env["PILOT_WALLTIME_END"].flatMap(Double.init)
        cfg.drainGrace = drainGrace
        do { cfg.managerLostTimeout = try TaskField.named("time_limit")!.seconds(.text(managerLostTimeout), path: "--manager-lost-timeout") } catch {
            throw ValidationError(error.description)
        }
        cfg.prefetch = max(1, prefetch)
        guard let l = AgentConfig.Launcher(rawValue: launcher) else { throw ValidationError("--launcher must be process or null") }
        cfg.launcher = l
        do { cfg.outputLimit = Int64(clamping: try Quantity.bytes(outputLimit, field: "output-limit")) } catch {
            throw ValidationError("--output-limit: \(error.message)")
        }
        if containment != "auto" {
            guard let m = TaskContainment.Mechanism(rawValue: containment) else {
                throw ValidationError("--containment must be auto, cgroup, subreaper or none")
            }
            cfg.containment = m
        }
        cfg.cpuMap = CPUMapping.forAdvertised(res)
        cfg.executable = ProjectFiles.pilotBinary
        cfg.qrmiResources = qrmi
        cfg.gpuVendors = Dictionary(t.gpus.map { ($0.name, $0.vendor) }, uniquingKeysWith: { a, _ in a })
        return cfg
    }
}

/// What Slurm granted this step, from its environment (task/none does not restrict the cpuset).
struct SlurmAllocation {
    var jobID: String
    var nodeName: String?
    var cpusOnNode: Int?
    var gpusOnNode: Int?

    init?(environment env: [String: String]) {
        guard let j = env["SLURM_JOB_ID"] else { return nil }
        jobID = j
        nodeName = env["SLURMD_NODENAME"]
        cpusOnNode = env["SLURM_CPUS_ON_NODE"].flatMap(Int.init)
        gpusOnNode = env["SLURM_GPUS_ON_NODE"].flatMap(Int.init)
    }
}

/// When the advertised cores are not all real CPUs of this process (synthetic topologies, Slurm nodes
/// that claim more CPUs than the host has), pin each advertised PU to a real one round-robin.
enum CPUMapping {
    static func forAdvertised(_ res: NodeResources) -> [Int: Int]? {
        let real = allowedCPUs()
        let pus = res.domains.flatMap { $0.cores.flatMap(\.pus) }
        guard !real.isEmpty, !Set(pus).isSubset(of: Set(real)) else { return nil }
        var map: [Int: Int] = [:]
        for (i, p) in pus.enumerated() { map[p] = real[i % real.count] }
        return map
    }

    static func allowedCPUs() -> [Int] {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = s.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }) else { return [] }
        return (try? CPUList.parse(line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces))) ?? []
    }
}

extension NodeResources {
    /// Keeps the first `n` cores (NUMA order): Slurm granted only that many on this node.
    func limited(toCores n: Int) -> NodeResources {
        guard n < coreCount else { return self }
        var left = n
        var r = self
        r.domains = domains.compactMap { d in
            guard left > 0 else { return nil }
            var d = d
            d.cores = Array(d.cores.prefix(left))
            left -= d.cores.count
            return d
        }
        return r
    }
}
