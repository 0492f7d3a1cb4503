import ArgumentParser
import Foundation
import PilotCore
import PilotProtocol

extension BenchCommand {
    /// `pilot bench iterative`: the variational stage of `Examples/mixed-motifs.yaml` alone, on an
    /// embedded manager and agent, through the durable path. Per round it reports the overhead:
    /// the round's wall time (from the previous round's last result to its own) minus the longest
    /// time one QPU slot spent on the device in that round (the device's modelled queue wait and
    /// latency included: that is the device's time, not the middleware's).
    struct Iterative: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "iterative", abstract: "Per-round overhead and QPU-slot utilisation of the VQE stage of the main example.")
        @Option(help: "Qubits of the Ising chain.") var qubits = 4
        @Option(help: "Ansatz layers.") var layers = 4
        @Option(help: "true: a round is one PUB task per device slot; false: one task per circuit.") var batched = true
        @Option(help: "Tasks per batched round (default: the device's slots).") var tasksPerRound: Int?
        @Option(help: "Rounds at most.") var maxRounds = 150
        @Option(help: "Also append every JSON line to this file.") var out: String?
        @OptionGroup var topo: TopologyFlags

        func run() async throws {
            BenchLine.outFile = out
            let device = "ideal-sim"
            var params = "qubits: \(qubits), layers: \(layers), shots: 0, tolerance: 1.0e-4, patience: 3, device: \(device), batched: \(batched)"
            if let tasksPerRound { params += ", tasks_per_round: \(tasksPerRound)" }
            let yaml = """
                version: 1
                name: bench-iterative
                seed: 2026
                stages:
                  variational:
                    motif: iterative
                    driver: vqe
                    params: {\(params)}
                    resources: {qpu: "\(device):1"}
                    max_rounds: \(maxRounds)
                """
            let dir = EmbeddedCluster.makeTempDir()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let file = dir + "/bench-iterative.yaml"
            try yaml.write(toFile: file, atomically: true, encoding: .utf8)
            try QPUDevices.require(device, for: "bench iterative")
            let slots = try QPUDevices.load(nil).first { $0.name == device }?.slots ?? 1

            let cluster = try await EmbeddedCluster.start(serverDir: dir + "/server", topology: try topo.load(),
                                                          log: BenchCluster.logger())
            let cpu0 = processCPUSeconds()
            var info = try await submitWorkflowFile(file, dir: dir + "/out", client: cluster.client)
            while info.state == "running" {
                _ = try await cluster.client.wait(timeout: 0.5)
                info = try await cluster.client.workflow(info.id)
            }
            let cpu = processCPUSeconds() - cpu0
            let tasks = try await cluster.allTasks()
            await cluster.stop()
            guard info.state == "done" else { throw CLIError("the stage ended \(info.state): \(info.stages.first?.reason ?? "")") }

            let rounds = RoundTimeline(tasks)
            let overheads = rounds.overheads
            let wall = rounds.wall
            BenchLine.print([
                "workload": "iterative", "qubits": qubits, "layers": layers, "batched": batched,
                "tasks_per_round": rounds.tasksPerRound, "rounds": rounds.count, "tasks": tasks.count,
                "wall_s": wall, "cpu_s": cpu, "cpu_ms_per_round": cpu / Double(max(1, rounds.count)) * 1e3,
                "overhead_ms_median": percentile(overheads, 50) * 1e3, "overhead_ms_p90": percentile(overheads, 90) * 1e3,
                "overhead_ms_max": (overheads.max() ?? .nan) * 1e3,
                "gap_ms_median": percentile(rounds.gaps, 50) * 1e3,
                "device_ms_median": percentile(rounds.deviceTimes, 50) * 1e3,
                "qpu_slots": slots, "qpu_utilisation": wall > 0 ? rounds.busy / (Double(slots) * wall) : 0,
                "final_energy": Self.finalEnergy(info.stages.first?.result?.text) ?? .nan,
            ])
        }

        static func finalEnergy(_ summary: String?) -> Double? {
            guard let summary, let data = summary.data(using: .utf8),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
            return object["final_energy"] as? Double
        }
    }
}

/// A VQE stage's tasks grouped by round (`STAGE.rR[k]`), with what each round's QPU slots did.
struct RoundTimeline {
    struct Round {
        var firstStart = Double.infinity
        var lastEnd = 0.0
        /// Device seconds (queue wait, execution and modelled latency) per QPU slot.
        var device: [String: Double] = [:]
        var tasks = 0
    }

    private(set) var rounds: [Int: Round] = [:]
    /// Σ over tasks of their run time on a slot.
    private(set) var busy = 0.0

    init(_ tasks: [TaskInfo]) {
        for t in tasks {
            guard let name = t.name, let r = Self.round(of: name), let start = t.startedAt, let end = t.endedAt else { continue }
            var round = rounds[r] ?? Round()
            round.firstStart = min(round.firstStart, start)
            round.lastEnd = max(round.lastEnd, end)
            round.tasks += 1
            let lease = t.binding?.qpu.map { "\(t.agent ?? 0)/\($0.device)/\($0.slots)" } ?? "\(t.id)"
            round.device[lease, default: 0] += Self.deviceSeconds(t.result?.text) ?? (end - start)
            rounds[r] = round
            busy += end - start
        }
    }

    var count: Int { rounds.count }
    var tasksPerRound: Int { rounds[0]?.tasks ?? 0 }
    var wall: Double {
        guard let first = rounds[0]?.firstStart, let last = rounds[count - 1]?.lastEnd else { return 0 }
        return last - first
    }

    /// Round r ≥ 1: from round r−1's last result to its own, minus its busiest slot's device time.
    var overheads: [Double] {
        (1..<max(1, count)).compactMap { r in
            guard let prev = rounds[r - 1], let cur = rounds[r] else { return nil }
            return (cur.lastEnd - prev.lastEnd) - (cur.device.values.max() ?? 0)
        }
    }

    /// From round r−1's last result to round r's first start.
    var gaps: [Double] {
        (1..<max(1, count)).compactMap { r in
            guard let prev = rounds[r - 1], let cur = rounds[r] else { return nil }
            return cur.firstStart - prev.lastEnd
        }
    }

    var deviceTimes: [Double] { rounds.values.map { $0.device.values.max() ?? 0 } }

    static func round(of name: String) -> Int? {
        guard let dot = name.range(of: ".r", options: .backwards) else { return nil }
        let rest = name[dot.upperBound...]
        guard let bracket = rest.firstIndex(of: "[") else { return nil }
        return Int(rest[..<bracket])
    }

    private struct Timed: Decodable {
        struct Timings: Decodable { var totalSeconds: Double }
        var timings: Timings
    }

    /// The device's own account of a quantum task (single circuit or PUB job alike).
    static func deviceSeconds(_ result: String?) -> Double? {
        guard let result else { return nil }
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return try? d.decode(Timed.self, from: Data(result.utf8)).timings.totalSeconds
    }
}
