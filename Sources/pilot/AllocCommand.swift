import ArgumentParser
import Foundation
import PilotCore
import PilotProtocol

/// `pilot alloc …`: allocation queues that submit pilots while work waits (autoscaling).
struct AllocCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alloc", abstract: "Autoscaling: allocation queues that submit pilots while tasks wait.",
        subcommands: [Add.self, List.self, Remove.self, Resume.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an allocation queue.")
        @OptionGroup var server: ServerOptions
        @Option(help: "Cluster profile: a name (Profiles/<name>.yaml) or a path.") var profile: String
        @Option(help: "Most pilots of this queue at once.") var maxPilots: Int
        @Option(help: "Pilots kept even without work.") var minPilots: Int?
        @Option(help: "Pilots that may wait in Slurm's queue at once.") var backlog: Int?
        @Option(help: "How long a pilot may stay without tasks before it is cancelled [duration; bare number: minutes] (default 5m).") var idleTimeout: String?
        @Option(help: "Failed pilot starts in a row before the queue pauses (default 3).") var maxFailures: Int?
        @Option(name: [.customShort("N"), .long], help: "Nodes per pilot.") var nodes: Int?
        @Option(name: [.customShort("t"), .long, .customLong("time")], help: "Walltime per pilot.") var walltime: String?
        @Option(name: [.customShort("p"), .long], help: "Partition.") var partition: String?
        @Option(name: [.customShort("A"), .long], help: "Account.") var account: String?
        @Option(name: [.customShort("q"), .long], help: "QOS.") var qos: String?
        @Option(name: [.customShort("C"), .long], help: "Constraint.") var constraint: String?
        @Option(help: "GPUs per node.") var gpusPerNode: Int?
        @Flag var json = false

        func run() async throws {
            let idle: Double?
            do { idle = try idleTimeout.map { t throws(CoreError) in try TaskField.named("time")!.seconds(.text(t), path: "--idle-timeout") } } catch {
                throw ValidationError(error.description)
            }
            let o = PilotOverrides(nodes: nodes, walltime: walltime, partition: partition, account: account, qos: qos,
                                   constraint: constraint, gpusPerNode: gpusPerNode)
            let req = AllocQueueRequest(profile: try PilotsCommand.Submit.resolveProfile(profile), overrides: o == PilotOverrides() ? nil : o,
                                        maxPilots: maxPilots, minPilots: minPilots, backlog: backlog, idleTimeout: idle,
                                        maxFailures: maxFailures)
            do {
                let q = try await server.client().addAllocQueue(req)
                if json { try printJSON(q); return }
                print("allocation queue \(q.id) added")
            } catch { fail(error) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List allocation queues, their pilots and why a queue is paused.")
        @OptionGroup var server: ServerOptions
        @Flag var json = false
        func run() async throws {
            do {
                let list = try await server.client().allocQueues()
                if json { try printJSON(AllocQueueList(queues: list)); return }
                var t = Table(header: ["ID", "STATE", "CLUSTER", "PROFILE", "PILOTS", "MAX", "FAILURES", "REASON"])
                for q in list {
                    t.rows.append([String(q.id), q.state.rawValue, q.cluster ?? "-", (q.request.profile as NSString).lastPathComponent,
                                   q.pilots.isEmpty ? "-" : q.pilots.joined(separator: ","), String(q.request.maxPilots),
                                   String(q.failures), q.reason ?? ""])
                }
                print(t.render())
            } catch { fail(error) }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a queue submitting pilots (its pilots keep running).")
        @OptionGroup var server: ServerOptions
        @Argument var id: Int
        @Flag var json = false
        func run() async throws {
            do {
                let q = try await server.client().removeAllocQueue(id)
                if json { try printJSON(q) } else { print("allocation queue \(id) removed") }
            } catch { fail(error) }
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a paused queue.")
        @OptionGroup var server: ServerOptions
        @Argument var id: Int
        @Flag var json = false
        func run() async throws {
            do {
                let q = try await server.client().resumeAllocQueue(id)
                if json { try printJSON(q) } else { print("allocation queue \(id) resumed") }
            } catch { fail(error) }
        }
    }
}
