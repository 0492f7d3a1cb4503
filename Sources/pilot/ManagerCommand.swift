import ArgumentParser
import Foundation
import Logging
import PilotCore
import PilotManager
import PilotMiniApps
import PilotProtocol
import ServiceLifecycle

struct ManagerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manager", abstract: "Run and control the manager daemon.",
        subcommands: [Start.self, Stop.self, Status.self, RotateToken.self])

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start the manager in the foreground (SIGTERM stops it gracefully).")
        @OptionGroup var server: ServerOptions
        @Option(help: "Address to listen on. Loopback by default; use 0.0.0.0 or a routable address for agents on other nodes.")
        var host = "127.0.0.1"
        @Option(help: "HTTP API port (0: any free port; a restart reuses the previous one when free).") var port = 0
        @Option(help: "Agent channel port (0: any free port; a restart reuses the previous one when free).") var agentPort = 0
        @Option(help: "Seconds between agent heartbeats.") var heartbeatInterval = 2.0
        @Option(help: "Seconds of silence after which an agent is declared lost.") var heartbeatTimeout = 20.0
        @Option(help: "Directory of QPU device profiles (default: Profiles/qpu of the installation).") var qpuProfiles: String?
        @Option(help: "Log level (trace, debug, info, warning, error).") var logLevel: String?
        @Option(help: "Address pilots' agents use to reach this manager (default: --host, or this host's name for 0.0.0.0).")
        var pilotAgentHost: String?
        @Option(help: "Tasks bound per core at once: 1 running + N-1 queued at the agent (1: no prefetch; past 2 only for tasks known to run ≤ 50 ms, past 4 only for those of ≤ 2 ms).") var prefetch = Scheduler.defaultPrefetch
        @Option(help: "Journal records kept at most (older ones are pruned in the background; 0: no limit).") var journalKeep = 10_000_000
        @Option(help: "Days journal records are kept at most (0: no limit).") var journalDays = 30.0
        @Flag(help: "Mint a new token instead of keeping the one clients and agents hold.") var rotateToken = false
        @Flag(help: "Serve no /metrics and keep no Prometheus counters (no metrics_token in access.json).") var noMetrics = false
        @Flag(help: "Plain HTTP and TCP instead of TLS; refused unless --host is loopback (see --insecure).") var noTLS = false
        @Flag(help: "Plain HTTP and TCP on any --host, with a warning when it is not loopback: the token and every task then cross the network in clear.")
        var insecure = false

        func run() async throws {
            LogSetup.bootstrap(logLevel)
            let log = Logger(label: "pilot.manager")
            var cfg = ManagerConfig(serverDir: server.resolved)
            cfg.host = host
            cfg.port = port
            cfg.agentPort = agentPort
            cfg.heartbeatInterval = heartbeatInterval
            cfg.heartbeatTimeout = heartbeatTimeout
            cfg.prefetch = max(1, prefetch)
            cfg.journalRetention = JournalRetention(maxRecords: journalKeep > 0 ? journalKeep : nil,
                                                    maxAge: journalDays > 0 ? journalDays * 86_400 : nil)
            cfg.rotateToken = rotateToken
            cfg.metrics = !noMetrics
            cfg.tls = !noTLS && !insecure
            cfg.insecure = insecure
            cfg.devices = try QPUDevices.load(qpuProfiles)
            cfg.deviceProfiles = try QPUDevices.profiles(qpuProfiles)
            cfg.iterativeDrivers = MiniAppDrivers.factory(pilotExecutable: ProjectFiles.pilotBinary,
                                                          deviceSlots: QPUDevices.slots(cfg.devices))
            cfg.pilotBinary = ProjectFiles.pilotBinary
            cfg.pilots.profileDirectory = ProjectFiles.find("Profiles")
            if let h = pilotAgentHost { cfg.pilots.agentHost = h }
            if let a = try? AccessFile.read(from: cfg.serverDir), let pid = a.pid, pid != getpid(), kill(pid, 0) == 0,
               (try? await PilotClient(access: a).health()) == true {
                throw CLIError("a manager (pid \(pid)) is already running for \(cfg.serverDir)")
            }
            let rt: ManagerRuntime
            do { rt = try await ManagerRuntime.start(cfg, logger: log) } catch { fail(error) }
            let group = ServiceGroup(services: rt.services, gracefulShutdownSignals: [.sigterm, .sigint], logger: log)
            try await group.run()
            log.info("manager stopped")
        }
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop the running manager gracefully; with --agents, its agents too.",
            discussion: "Without --agents the agents keep running and their tasks with them, and reattach to the next manager.")
        @OptionGroup var server: ServerOptions
        @Flag(help: "Drain every agent first: no new tasks, running ones may end until --deadline, then each agent exits.")
        var agents = false
        @Option(help: "With --agents: how long running tasks may go on before they are stopped and requeued [duration; bare number: minutes].")
        var deadline = "10m"
        func run() async throws {
            let a: AccessFile
            do { a = try AccessFile.read(from: server.resolved) } catch { fail(error) }
            guard let pid = a.pid, kill(pid, 0) == 0 else { throw CLIError("no manager is running for \(server.resolved)", exit: .noManager) }
            if agents {
                let grace: Double
                do { grace = try TaskField.named("time_limit")!.seconds(.text(deadline), path: "--deadline") } catch { throw ValidationError(error.description) }
                let client = PilotClient(access: a)
                let until = Date().timeIntervalSince1970 + grace
                let told = try await client.drainAgents(deadline: until, reason: "pilot manager stop --agents")
                print("\(told.agents) agents draining; running tasks may go on until \(Date(timeIntervalSince1970: until))")
                // Each agent exits once its tasks ended and the manager has their results; the
                // manager keeps serving until then so nothing is lost.
                while try await client.agents().contains(where: { $0.state != "lost" && $0.state != "disconnected" }),
                      Date().timeIntervalSince1970 < until + 30 {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            kill(pid, SIGTERM)
            // Wait until the process is gone so scripts can restart it right away.
            for _ in 0..<600 where kill(pid, 0) == 0 { try await Task.sleep(for: .milliseconds(50)) }
            print("manager (pid \(pid)) stopped")
        }
    }

    struct RotateToken: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-token",
            abstract: "Replace the manager's token without stopping it; connected agents stay connected.",
            discussion: """
            The manager mints a new token and rewrites access.json. The API refuses the old token at once (clients \
            made from the server directory re-read access.json and carry on). Agents already connected keep their \
            connections; an agent that reconnects re-reads access.json (or its --token-file), and the old token still \
            registers agents for --grace, for those that cannot. Use --grace 0 when the old token leaked.
            """)
        @OptionGroup var server: ServerOptions
        @Option(help: "How long the old token still registers reconnecting agents [duration; bare number: minutes; 0: not at all].")
        var grace = "10m"
        func run() async throws {
            let seconds: Double
            do { seconds = try TaskField.named("time_limit")!.seconds(.text(grace), path: "--grace") } catch {
                throw ValidationError(error.description)
            }
            let client = try server.client()
            let r: TokenRotateResponse
            do { r = try await client.rotateToken(grace: seconds) } catch { fail(error) }
            print("token rotated: the new one is in \(AccessFile.path(in: server.resolved)); \(r.agentsConnected) agents stay connected")
            if let until = r.previousValidUntil {
                print("the old token still registers reconnecting agents until \(Date(timeIntervalSince1970: until)); the API refuses it now")
            } else {
                print("the old token is refused everywhere now")
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show whether the manager runs, and its queue.")
        @OptionGroup var server: ServerOptions
        @Flag var json = false
        func run() async throws {
            let client = try server.client()
            let s: Summary
            do { s = try await client.summary() } catch { fail(CLIError("manager at \(client.baseURL) does not answer: \(error)")) }
            if json { try printJSON(s); return }
            print("manager \(client.baseURL) version \(s.version), up \(formatDuration(Date().timeIntervalSince1970 - s.startedAt)), \(s.agents) agents")
            print(TaskState.allCases.map { "\($0.rawValue)=\(s.count($0))" }.joined(separator: " "))
        }
    }
}
