import ArgumentParser
import Dispatch
import Foundation
import PilotCore
import PilotProtocol
import PilotQuantum

extension BenchCommand {
    /// `pilot bench quantum`: single-circuit quantum tasks (4–10 qubits, exact expectation values)
    /// through the whole durable path of an embedded manager and agent: API, store, binding to a
    /// QPU slot, the agent's kernel, the result back into the store. The device's latency model is
    /// off, so what is left beyond the simulation is the middleware. The simulation itself is timed
    /// separately, in the same process afterwards, on the same circuits.
    struct Quantum: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "quantum", abstract: "CPU per quantum task beyond the simulation, through the durable path.")
        @Option(help: "Quantum tasks.") var tasks = 20_000
        @Option(help: "Smallest circuit width.") var minQubits = 4
        @Option(help: "Largest circuit width.") var maxQubits = 10
        @Option(help: "Ansatz layers of each circuit.") var layers = 2
        @Option(help: "Tasks per submit request.") var batch = 1000
        @Option(help: "Also append every JSON line to this file.") var out: String?
        @OptionGroup var topo: TopologyFlags

        func validate() throws {
            guard tasks > 0 else { throw ValidationError("--tasks must be positive, got \(tasks)") }
            guard (1...24).contains(minQubits), (minQubits...24).contains(maxQubits) else {
                throw ValidationError("--min-qubits and --max-qubits must satisfy 1 ≤ min ≤ max ≤ 24")
            }
            guard batch > 0 else { throw ValidationError("--batch must be positive, got \(batch)") }
        }

        func run() async throws {
            BenchLine.outFile = out
            try QPUDevices.require("ideal-sim", for: "bench quantum")
            let jobs = (0..<tasks).map { Self.job(index: $0, qubits: minQubits + $0 % (maxQubits - minQubits + 1), layers: layers) }
            let cluster = try await EmbeddedCluster.start(topology: try topo.load(), latencyScale: 0, log: BenchCluster.logger())
            var specs: [TaskSpec] = []
            for (k, job) in jobs.enumerated() {
                var s = TaskSpec(name: "q\(k)", kind: .quantum)
                s.request.qpu = QPUSelector(device: "ideal-sim")
                s.payload = String(decoding: try JSONEncoder().encode(job), as: UTF8.self)
                specs.append(s)
            }
            // The client's JSON encoding is neither the manager's nor the agent's work: it is done
            // here, before the count starts, and reported on its own.
            let encode0 = threadCPUSeconds()
            let bodies = try stride(from: 0, to: specs.count, by: batch).map { start in
                try APICoding.encoder().encode(SubmitRequest(tasks: Array(specs[start..<min(start + batch, specs.count)])))
            }
            let clientEncode = threadCPUSeconds() - encode0
            let cpu0 = processCPUSeconds()
            let threads0 = ThreadCPU.byName()
            let t0 = DispatchTime.now().uptimeNanoseconds
            for body in bodies {
                let (resp, code) = try await cluster.client.raw("POST", "/v1/tasks", body: body)
                guard (200..<300).contains(code) else { throw CLIError("submit refused (\(code)): \(String(decoding: resp.prefix(500), as: UTF8.self))") }
            }
            let w = try await cluster.waitAll(progress: false)
            let wall = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            let cpu = processCPUSeconds() - cpu0
            let parts = ThreadCPU.perTask(from: threads0, to: ThreadCPU.byName(), tasks: tasks)
            let done = w.summary.count(.done)
            await cluster.stop()
            guard done == tasks else { throw CLIError("\(tasks - done) of \(tasks) quantum tasks did not succeed") }

            // The simulation alone, as the kernel runs it (one thread), each circuit read beforehand.
            // Counted in this thread's CPU time, as the run is in process CPU time: wall time also
            // counted the minutes other processes had the cores, which on a loaded machine doubled it.
            var simulation = 0.0, simulationWall = 0.0
            for job in jobs {
                let circuit = try QASMParser.parse(job.circuit)
                let observables = try job.observables.map { (l: String) throws(QuantumError) in try PauliString(l).resized(to: circuit.qubitCount) }
                let t = DispatchTime.now().uptimeNanoseconds
                let c = threadCPUSeconds()
                _ = try QPUExecutor.simulate(job, circuit: circuit, observables: observables, seed: 1, noise: .ideal, threads: 1)
                simulation += threadCPUSeconds() - c
                simulationWall += Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9
            }
            BenchLine.print([
                "workload": "quantum", "tasks": tasks, "qubits": "\(minQubits)-\(maxQubits)", "layers": layers,
                "wall_s": wall, "tasks_per_s": Double(tasks) / wall, "cpu_s": cpu, "simulation_s": simulation,
                "simulation_wall_s": simulationWall, "client_encode_us_per_task": clientEncode / Double(tasks) * 1e6,
                "cpu_us_per_task": cpu / Double(tasks) * 1e6, "simulation_us_per_task": simulation / Double(tasks) * 1e6,
                "beyond_simulation_us_per_task": (cpu - simulation) / Double(tasks) * 1e6,
            ].merging(parts.mapValues { $0 as Any }) { $1 })
        }

        /// A hardware-efficient circuit with seeded angles and the observables of an Ising chain.
        static func job(index: Int, qubits: Int, layers: Int) -> QuantumJob {
            var rng = SeededGenerator(seed: UInt64(index) &+ 1)
            var c = QuantumCircuit(qubits: qubits)
            for layer in 0...layers {
                for q in 0..<qubits {
                    c.append(.ry, [q], [(rng.nextDouble() - 0.5) * 6])
                    c.append(.rz, [q], [(rng.nextDouble() - 0.5) * 6])
                }
                if layer < layers { for q in 0..<(qubits - 1) { c.append(.cx, [q, q + 1]) } }
            }
            var observables: [String] = []
            for q in 0..<(qubits - 1) {
                var p = Array(repeating: Character("I"), count: qubits)
                p[q] = "Z"; p[q + 1] = "Z"
                observables.append(String(p))
            }
            observables.append(String(repeating: "X", count: qubits))
            return QuantumJob(circuit: c.qasm(), shots: 0, seed: nil, observables: observables, device: "ideal-sim")
        }
    }
}
