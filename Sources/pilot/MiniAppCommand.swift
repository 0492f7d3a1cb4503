import ArgumentParser
import Foundation
import PilotMiniApps
import PilotQuantum

/// `pilot miniapp NAME`: the quantum mini-apps run in this process (VQE, QML, circuit execution,
/// cutting) or, for the distributed state vector, as MPI ranks of `pilot-dsv`.
struct MiniAppCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "miniapp", abstract: "Quantum mini-apps: circuit-execution, distributed-sv, cutting, vqe, qml.",
        subcommands: [CircuitExecution.self, DistributedSV.self, Cutting.self, VQE.self, QML.self])

    /// Where in-process jobs run: `cpu` (ideal, no latency) or a profile from Profiles/qpu.
    struct DeviceOptions: ParsableArguments {
        @Option(help: "QPU-proxy device profile name, or 'cpu'.") var device = "cpu"
        @Option(help: "Directory of device profiles (default: Profiles/qpu).") var profiles: String?
        @Option(help: "Simulator threads per job.") var threads = 1
        @Option(help: "Jobs run at once (QPU-proxy slots).") var concurrency = 2
        @Option(name: .customLong("latency-scale"), help: "Scale of the device's modelled latency (0: simulator speed).")
        var latencyScale = 0.0
        @Flag(help: "Print a JSON summary instead of the table.") var json = false

        func runner() throws -> LocalQuantumRunner {
            if device == "cpu" { return .cpu(threads: threads, concurrency: concurrency) }
            guard let dir = profiles ?? ProjectFiles.find("Profiles").map({ $0 + "/qpu" }) else {
                throw CLIError("no device profile directory found; pass --profiles DIR or --device cpu")
            }
            let all = try QPUDeviceProfile.loadAll(directory: dir)
            guard let profile = all.first(where: { $0.name == device }) else {
                throw CLIError("unknown device '\(device)' in \(dir) (known: \(all.map(\.name).joined(separator: ", ")), cpu)", exit: .notFound)
            }
            return LocalQuantumRunner(device: profile, threads: threads, concurrency: concurrency, latencyScale: latencyScale)
        }
    }

    struct VQE: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "VQE for the open transverse-field Ising chain; energy per round against exact diagonalisation.")
        @Option var qubits = 4
        @Option var layers = 4
        @Option(name: .customLong("j"), help: "ZZ coupling J.") var coupling = 1.0
        @Option(name: .customLong("h"), help: "Transverse field h.") var field = 1.0
        @Option(help: "adam (parameter-shift gradients) or spsa.") var optimizer = "adam"
        @Option(name: .customLong("learning-rate")) var learningRate = 0.1
        @Option(name: .customLong("max-rounds")) var maxRounds = 300
        @Option var tolerance = 1e-7
        @Option(help: "Shots per job; 0 = exact expectation values.") var shots = 0
        @Option var seed: UInt64 = 1
        @OptionGroup var device: DeviceOptions

        func run() async throws {
            var c = VQEConfiguration()
            c.qubits = qubits
            c.layers = layers
            c.j = coupling
            c.h = field
            guard let m = VariationalOptimizer.Method(rawValue: optimizer) else { throw CLIError("--optimizer: adam or spsa", exit: .usage) }
            c.optimizer = VariationalOptimizer.Settings(method: m, learningRate: learningRate, seed: seed)
            c.maxRounds = maxRounds
            c.tolerance = tolerance
            c.shots = shots
            c.seed = seed
            c.device = device.device
            let json = device.json
            if !json { print("round  energy            error vs exact (\(qubits) qubits, \(optimizer))") }
            let report = try await VQEMiniApp.run(c, runner: try device.runner()) { r in
                if !json { print(String(format: "%5d  %+.10f  %+.3e  %.3fs", r.round, r.energy, r.error, r.seconds)) }
            }
            if json { print(report.json(pretty: true)) } else {
                print("exact ground energy \(report.exactEnergy); best \(report.bestEnergy ?? .nan); "
                      + "rounds \(report.rounds) (within 1e-2 after \(report.roundsToWithin1e2.map(String.init) ?? "-")); "
                      + "converged \(report.converged)")
            }
        }
    }

    struct QML: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Train a variational classifier; accuracy per epoch.")
        @Option var qubits = 2
        @Option var layers = 1
        @Option(help: "blobs or circles.") var dataset = "blobs"
        @Option var samples = 24
        @Option(name: .customLong("test-samples")) var testSamples = 24
        @Option var noise = 0.3
        @Option var epochs = 25
        @Option(help: "adam (parameter-shift gradients) or spsa.") var optimizer = "adam"
        @Option(name: .customLong("learning-rate")) var learningRate = 0.1
        @Option var shots = 0
        @Option var seed: UInt64 = 1
        @OptionGroup var device: DeviceOptions

        func run() async throws {
            var c = QMLConfiguration()
            c.qubits = qubits
            c.layers = layers
            guard let d = ClassificationDataSet.Shape(rawValue: dataset) else { throw CLIError("--dataset: blobs or circles", exit: .usage) }
            c.dataset = d
            c.samples = samples
            c.testSamples = testSamples
            c.noise = noise
            c.epochs = epochs
            guard let m = VariationalOptimizer.Method(rawValue: optimizer) else { throw CLIError("--optimizer: adam or spsa", exit: .usage) }
            c.optimizer = VariationalOptimizer.Settings(method: m, learningRate: learningRate, seed: seed)
            c.shots = shots
            c.seed = seed
            c.device = device.device
            let json = device.json
            if !json { print("epoch  loss      train   test") }
            let report = try await QMLMiniApp.run(c, runner: try device.runner()) { e in
                if !json {
                    print(String(format: "%5d  %.5f  %.3f  %@  %.2fs", e.epoch, e.loss, e.trainAccuracy,
                                 e.testAccuracy.map { String(format: "%.3f", $0) } ?? "-", e.seconds))
                }
            }
            if json { print(report.json(pretty: true)) }
        }
    }

    struct CircuitExecution: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "circuit-execution", abstract: "An ensemble of random circuits and random Pauli observables.")
        @Option var qubits = 8
        @Option var depth = 8
        @Option var circuits = 16
        @Option(help: "Random observables per circuit.") var observables = 2
        @Option(name: .customLong("observable-weight")) var observableWeight = 2
        @Option var shots = 1024
        @Option var seed: UInt64 = 1
        @Flag(name: .customLong("no-verify"), help: "Skip the exact check of each estimate.") var noVerify = false
        @Flag(name: .customLong("print-tasks"), help: "Print the TaskSpecs (JSON lines) instead of running.") var printTasks = false
        @OptionGroup var device: DeviceOptions

        func run() async throws {
            var c = CircuitExecutionConfiguration()
            c.qubits = qubits
            c.depth = depth
            c.circuits = circuits
            c.observables = observables
            c.observableWeight = observableWeight
            c.shots = shots
            c.seed = seed
            c.device = device.device
            c.verify = !noVerify
            if printTasks {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                for t in try CircuitExecutionWorkload.tasks(c) { print(String(decoding: try encoder.encode(t), as: UTF8.self)) }
                return
            }
            let json = device.json
            if !json { print("circuit  gates  outcomes  exec_s    max|z|  expectations") }
            let report = try await CircuitExecutionMiniApp.run(c, runner: try device.runner()) { r in
                if !json {
                    let ev = r.expectations.map { String(format: "%@=%+.4f±%.4f", $0.observable, $0.value, $0.standardError) }
                    print(String(format: "%7d  %5d  %8d  %.5f  %@  %@", r.index, r.gates, r.distinctOutcomes, r.executionSeconds,
                                 r.maxZScore.map { String(format: "%6.2f", $0) } ?? "     -", ev.joined(separator: " ")))
                }
            }
            if json { print(report.json(pretty: true)) } else {
                print(String(format: "%d circuits in %.3f s (%.1f circuits/s); max |estimate - exact| %@",
                             report.circuits.count, report.wallSeconds, report.circuitsPerSecond,
                             report.maxAbsError.map { String(format: "%.4f", $0) } ?? "-"))
            }
        }
    }

    struct Cutting: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cut a wide circuit, run the sub-experiments, reconstruct, compare with the exact value.")
        @Option var qubits = 6
        @Option var depth = 2
        @Option var seed: UInt64 = 1
        @Option(help: "OpenQASM 2 file instead of a random circuit.") var circuit: String?
        @Option(name: .customLong("max-fragment-qubits")) var maxFragmentQubits = 4
        @Option(help: "Pauli observable (Qiskit order); default Z on every qubit.") var observable: String?
        @Option(help: "Shots per sub-experiment; 0 = exact.") var shots = 4000
        @OptionGroup var device: DeviceOptions

        func run() async throws {
            var c = CuttingConfiguration()
            c.qubits = qubits
            c.depth = depth
            c.seed = seed
            c.circuitQASM = try circuit.map { try String(contentsOfFile: $0, encoding: .utf8) }
            c.maxFragmentQubits = maxFragmentQubits
            c.observable = observable
            c.shots = shots
            c.device = device.device
            let r = try await CuttingMiniApp.run(c, runner: try device.runner())
            if device.json { print(r.json(pretty: true)); return }
            print("\(r.qubits) qubits cut \(r.cuts) time(s) into fragments \(r.fragmentWidths); \(r.subexperiments) sub-experiments × \(r.shots) shots")
            print(String(format: "⟨%@⟩ reconstructed %+.6f ± %.6f, exact %+.6f, error %+.2e (%@ 3σ), %.2f s",
                         r.observable, r.reconstructed, r.standardError, r.exact, r.error,
                         r.withinThreeSigma ? "within" : "outside", r.seconds))
        }
    }

    struct DistributedSV: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "distributed-sv",
            abstract: "One circuit's state vector split over MPI ranks (pilot-dsv under mpirun or srun), checked against one process.")
        @Option var qubits = 16
        @Option var depth = 10
        @Option var seed: UInt64 = 1
        @Option(help: "OpenQASM 2 file instead of a random circuit.") var circuit: String?
        @Option(help: "MPI ranks (a power of two).") var ranks = 4
        @Option(help: "Nodes (srun only).") var nodes: Int?
        @Option(help: "auto, mpirun or srun.") var launcher = "auto"
        @Option(help: "pilot-dsv binary (default: next to this pilot).") var binary: String?
        @Flag(name: .customLong("no-check"), help: "Skip the gather and single-process comparison.") var noCheck = false
        @Flag var json = false

        func run() throws {
            guard let l = DistributedSVLauncher.Launcher(rawValue: launcher) else { throw CLIError("--launcher: auto, mpirun or srun", exit: .usage) }
            let exe = binary ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
                .deletingLastPathComponent().appendingPathComponent("pilot-dsv").path
            guard FileManager.default.isExecutableFile(atPath: exe) else {
                throw CLIError("\(exe) not found; build it with `swift build --product pilot-dsv` (needs Open MPI) or pass --binary")
            }
            var args = circuit.map { ["--circuit", $0] } ?? ["--qubits", String(qubits), "--depth", String(depth), "--seed", String(seed)]
            if noCheck { args.append("--no-check") }
            let launch = DistributedSVLauncher(binary: exe, ranks: ranks, nodes: nodes, launcher: l, arguments: args)
            let outcome = try launch.run()
            guard outcome.status == 0 else {
                throw CLIError("\(outcome.argv.joined(separator: " ")) exited \(outcome.status):\n\(outcome.stderr)")
            }
            let report = try DistributedSVLauncher.report(from: outcome.stdout)
            if json {
                print(outcome.stdout.split(separator: "\n").last(where: { $0.hasPrefix("{") }) ?? "{}")
                return
            }
            print("\(report["qubits"] ?? "?") qubits on \(report["ranks"] ?? "?") ranks (\(report["local_qubits"] ?? "?") local): "
                  + "\(report["gates"] ?? "?") gates, \(report["exchanges"] ?? "?") exchanges, "
                  + "\(report["bytes_sent_per_rank"] ?? "?") bytes sent per rank")
            print("simulation \(report["simulation_seconds"] ?? "?") s (single process \(report["reference_seconds"] ?? "-") s); "
                  + "max error vs single process \(report["max_error"] ?? "-"); norm \(report["norm"] ?? "?"); "
                  + String(format: "launch total %.2f s", outcome.seconds))
        }
    }
}
