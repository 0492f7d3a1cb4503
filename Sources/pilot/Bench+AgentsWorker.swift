import ArgumentParser
import Foundation
import Logging
import NIOPosix
import PilotAgent
import PilotCore
import PilotProtocol
import PilotTopology

extension BenchCommand {
    /// One of the processes `pilot bench agents` starts: many real agents (the production `Agent`,
    /// each with its own TCP connection and heartbeat) on a synthetic topology with the null
    /// launcher. SIGUSR1 drops the connections of the first `--drop` of them at once; they reconnect
    /// by themselves. SIGTERM stops them all.
    struct AgentsWorker: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "agents-worker", abstract: "Simulated agents for `pilot bench agents` (started by it).", shouldDisplay: false)
        @OptionGroup var server: ServerOptions
        @Option(help: "Agents in this process.") var count = 100
        @Option(help: "Number of the first agent (names sim-N, ids bench-sim-N).") var first = 0
        @Option(help: "Cores of each agent's synthetic node.") var cores = 64
        // 8, not the default 16: 64 cores × 8 already hide the round trip, and a million-task queue
        // then stays a queue instead of being bound to agents in the first seconds.
        @Option(help: "Tasks bound per core (1 running + N-1 queued at the agent; past 2 only for tasks known to run ≤ 50 ms, past 4 only for those of ≤ 2 ms).") var prefetch = 8
        @Option(help: "Event-loop threads the agents share.") var loops = 1
        @Option(help: "Agents whose connection SIGUSR1 drops (the first ones).") var drop = 0

        func validate() throws {
            guard count > 0 else { throw ValidationError("--count must be at least 1, got \(count)") }
            guard first >= 0 else { throw ValidationError("--first must not be negative, got \(first)") }
            guard cores > 0 else { throw ValidationError("--cores must be at least 1, got \(cores)") }
            guard prefetch > 0 else { throw ValidationError("--prefetch must be at least 1, got \(prefetch)") }
            guard loops > 0 else { throw ValidationError("--loops must be at least 1, got \(loops)") }
            guard (0...count).contains(drop) else { throw ValidationError("--drop must be between 0 and --count (\(count)), got \(drop)") }
        }

        func run() async throws {
            LogSetup.bootstrap(nil, default: .warning)
            let log = Logger(label: "pilot.bench.agents")
            let topology = try TopologyFlags.synthetic(cores: cores)
            let access: AccessFile
            do { access = try AccessFile.read(from: server.resolved) } catch { throw CLIError("\(error)") }
            let group = MultiThreadedEventLoopGroup(numberOfThreads: loops)
            var agents: [Agent] = []
            for i in first..<(first + count) {
                var res = NodeResources(topology: topology)
                res.hostname = String(format: "sim-%04d", i)
                var cfg = AgentConfig(managerHost: access.host == "0.0.0.0" ? "127.0.0.1" : access.host, agentPort: access.agentPort,
                                      token: access.token, uuid: "bench-" + res.hostname, hostname: res.hostname, resources: res,
                                      logDir: server.resolved + "/logs")
                cfg.serverDir = server.resolved
                cfg.launcher = .null
                cfg.prefetch = prefetch
                cfg.outputLimit = 0
                agents.append(Agent(config: cfg, logger: log, eventLoop: group.next()))
            }
            let dropped = Array(agents.prefix(drop))
            let all = agents
            let sources = [SIGUSR1, SIGTERM, SIGINT].map { sig -> any DispatchSourceSignal in
                signal(sig, SIG_IGN)
                let s = DispatchSource.makeSignalSource(signal: sig)
                s.setEventHandler {
                    Task {
                        if sig == SIGUSR1 {
                            await withTaskGroup(of: Void.self) { g in for a in dropped { g.addTask { await a.dropConnection() } } }
                        } else {
                            for a in all { await a.stop() }
                        }
                    }
                }
                s.resume()
                return s
            }
            await withTaskGroup(of: Void.self) { g in for a in agents { g.addTask { await a.run() } } }
            // A real use: `_ = sources` let the optimiser release them at once, and a release build
            // then ignored SIGUSR1 (the sources were cancelled).
            for s in sources { s.cancel() }
            try? await group.shutdownGracefully()
        }
    }
}

extension TopologyFlags {
    /// A synthetic node of `cores` single-PU cores in two NUMA domains (one when odd), for simulated agents.
    static func synthetic(cores: Int) throws -> NodeTopology {
        let desc = cores % 2 == 0 && cores > 1 ? "numa:2 core:\(cores / 2) pu:1" : "core:\(cores) pu:1"
        do { return try TopologyLoader.load(TopologyOptions(source: .synthetic(desc))) } catch { throw CLIError("topology: \(error)") }
    }
}
