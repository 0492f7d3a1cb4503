import ArgumentParser
import Foundation
import PilotCore
import PilotProtocol
import PilotSlurm

/// `pilot pilots …`: pilots are Slurm jobs the manager submits and tracks.
struct PilotsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pilots", abstract: "Submit, list and cancel pilots (Slurm jobs that run agents).",
        subcommands: [Submit.self, List.self, Cancel.self, Drain.self])

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Submit a pilot through the manager.")
        @OptionGroup var server: ServerOptions
        @Option(help: "Cluster profile: a name (Profiles/<name>.yaml) or a path to a YAML file.") var profile: String
        @Option(name: [.customShort("N"), .long], help: "Nodes (sbatch -N).") var nodes: Int?
        @Option(name: [.customShort("t"), .long, .customLong("time")], help: "Walltime: minutes, HH:MM:SS or D-HH:MM:SS (sbatch -t).")
        var walltime: String?
        @Option(name: [.customShort("p"), .long], help: "Partition (sbatch -p).") var partition: String?
        @Option(name: [.customShort("A"), .long], help: "Account (sbatch -A).") var account: String?
        @Option(name: [.customShort("q"), .long], help: "QOS (sbatch -q).") var qos: String?
        @Option(name: [.customShort("C"), .long], help: "Node feature constraint (sbatch -C).") var constraint: String?
        @Option(help: "GPUs per node.") var gpusPerNode: Int?
        @Flag(help: "Print the job script and the request it makes (libslurm job descriptor or sbatch command line) instead of submitting it.")
        var dryRun = false
        @Flag var json = false

        func run() async throws {
            let req = PilotSubmitRequest(profile: try Self.resolveProfile(profile), overrides: overrides, dryRun: dryRun)
            do {
                let r = try await server.client().submitPilot(req)
                if json { try printJSON(r); return }
                if let s = r.script {
                    print(s, terminator: s.hasSuffix("\n") ? "" : "\n")
                    // The script's #SBATCH lines are the whole request (the manager reads them the same way).
                    // Its --chdir line sets the working directory.
                    let request = try BatchJobRequest(script: s, workingDirectory: "/", environment: [:])
                    print("# ---- request ----")
                    print(request.requestDescription(environmentKnown: false), terminator: "")
                    return
                }
                if let p = r.pilot {
                    print("pilot \(p.id) submitted as Slurm job \(p.slurmJobID.map(String.init) ?? "?") on cluster \(p.cluster ?? "?")")
                }
            } catch { fail(error) }
        }

        var overrides: PilotOverrides? {
            let o = PilotOverrides(nodes: nodes, walltime: walltime, partition: partition, account: account, qos: qos,
                                   constraint: constraint, gpusPerNode: gpusPerNode)
            return o == PilotOverrides() ? nil : o
        }

        /// Paths are made absolute here (the manager may run elsewhere); names found in this
        /// installation's Profiles/ are sent as paths too, and other names are left to the manager.
        static func resolveProfile(_ given: String) throws -> String {
            if given.contains("/") || given.hasSuffix(".yaml") || given.hasSuffix(".yml") {
                let abs = URL(fileURLWithPath: given, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
                    .standardizedFileURL.path
                do { _ = try ClusterProfile.load(path: abs) } catch { throw CLIError(error.description) }
                return abs
            }
            if let dir = ProjectFiles.find("Profiles"), FileManager.default.fileExists(atPath: "\(dir)/\(given).yaml") {
                return "\(dir)/\(given).yaml"
            }
            return given
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List pilots with their Slurm state, agents and free slots.")
        @OptionGroup var server: ServerOptions
        @Flag var json = false
        @Flag(help: "Also list finished pilots.") var all = false

        func run() async throws {
            do {
                var list = try await server.client().pilots()
                if !all && !json { list = list.filter { !$0.state.isFinal || Date().timeIntervalSince1970 - ($0.endedAt ?? 0) < 600 } }
                if json { try printJSON(PilotList(pilots: list)); return }
                let now = Date().timeIntervalSince1970
                var t = Table(header: ["PILOT", "CLUSTER", "JOB", "STATE", "NODES", "AGENTS", "CORES FREE/ALL", "GPUS FREE/ALL", "TASKS",
                                       "WALLTIME LEFT", "REASON"])
                for p in list {
                    let nodes = p.nodes.isEmpty ? String(p.nodeCount) : "\(p.nodeCount) (\(p.nodes.joined(separator: ",")))"
                    let left = p.state == .running ? p.walltimeEnd.map { formatDuration(max(0, $0 - now)) } ?? "-" : "-"
                    t.rows.append([p.id, p.cluster ?? "-", p.slurmJobID.map(String.init) ?? "-", p.state.rawValue, nodes, String(p.agents),
                                   "\(p.freeCores)/\(p.cores)", "\(p.freeGPUs)/\(p.gpus)", String(p.runningTasks), left,
                                   p.reason ?? drainNote(p)])
                }
                print(t.render())
            } catch { fail(error) }
        }

        func drainNote(_ p: PilotInfo) -> String {
            guard !p.state.isFinal, p.drainRequestedAt != nil else { return "" }
            let f = DateFormatter()
            f.dateFormat = "HH:mm:ss"
            return "draining" + (p.drainDeadline.map { " until " + f.string(from: Date(timeIntervalSince1970: $0)) } ?? "")
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a pilot (scancel its Slurm job); its running tasks are requeued.")
        @OptionGroup var server: ServerOptions
        @Argument(help: "Pilot id (p1, p2, …).") var ids: [String]
        @Flag var json = false

        func run() async throws {
            do {
                let c = try server.client()
                var all: [PilotInfo] = []
                defer { if json { try? printJSON(PilotList(pilots: all)) } }
                for id in ids {
                    let p = try await c.cancelPilot(id)
                    all.append(p)
                    if json { continue }
                    print("pilot \(p.id) (Slurm job \(p.slurmJobID.map(String.init) ?? "-")): cancel requested, state \(p.state.rawValue)")
                }
            } catch { fail(error) }
        }
    }

    struct Drain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Drain a pilot: its agents take no new tasks; running tasks go on until the deadline, then are requeued.",
            discussion: """
            The pilot's job script runs this when Slurm's walltime warning reaches it. Without --deadline or --in,
            each agent keeps its running tasks until its allocation's end.
            """)
        @OptionGroup var server: ServerOptions
        @Option(help: "Unix time until which running tasks may continue.") var deadline: Double?
        @Option(name: .customLong("in"), help: "How long from now running tasks may continue [duration; bare number: minutes].") var within: String?
        @Flag var json = false
        @Option(help: "Why (shown in the manager's log and the tasks' history).") var reason: String?
        @Argument(help: "Pilot id (p1, p2, …).") var ids: [String]

        func validate() throws {
            if deadline != nil && within != nil { throw ValidationError("give --deadline or --in, not both") }
            if let w = within { _ = try seconds(w) }
        }

        func seconds(_ text: String) throws -> Double {
            do { return try TaskField.named("time")!.seconds(.text(text), path: "--in") } catch { throw ValidationError(error.description) }
        }

        func run() async throws {
            let end = try deadline ?? within.map { Date().timeIntervalSince1970 + (try seconds($0)) }
            do {
                let c = try server.client()
                var all: [PilotInfo] = []
                defer { if json { try? printJSON(PilotList(pilots: all)) } }
                for id in ids {
                    let p = try await c.drainPilot(id, PilotDrainRequest(deadline: end, reason: reason))
                    all.append(p)
                    if json { continue }
                    let until = p.drainDeadline.map { "running tasks may run until \(Date(timeIntervalSince1970: $0))" }
                        ?? "running tasks may run until the walltime ends"
                    print("pilot \(p.id): draining, \(p.agents) agents; \(until)")
                }
            } catch { fail(error) }
        }
    }
}
