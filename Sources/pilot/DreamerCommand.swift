import ArgumentParser
import Foundation
import PilotQuantum

/// `pilot dreamer`: the performance model (Q-Dreamer's role). `calibrate` fits it to the runs a
/// server directory's journal recorded; `predict` applies it to a circuit.
struct DreamerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dreamer",
        abstract: "The calibrated performance model: fit it to recorded runs, predict runtimes, fidelity and the best cut plan.",
        subcommands: [Calibrate.self, Predict.self])

    struct Calibrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fit the model to the quantum task runs in the server directory's journal and store it there with its fit statistics.")
        @OptionGroup var options: DreamerOptions
        @Flag var json = false

        func run() async throws {
            do {
                let dir = options.serverDirectory
                let profiles = try options.profiles()
                let data = try JournalCalibration.read(serverDir: dir, profiles: profiles)
                let model: PerformanceModel
                if data.samples.isEmpty && data.reconstructions.isEmpty {
                    model = .standard
                    FileHandle.standardError.write(Data("warning: the journal in \(dir) holds no finished quantum task runs: the model stays the documented default\n".utf8))
                } else {
                    model = PerformanceModel.fit(data.samples, dispatchSeconds: data.dispatchSeconds, releaseSeconds: data.releaseSeconds,
                                             at: Date().timeIntervalSince1970)
                        .fittingReconstruction(data.reconstructions)
                    try model.save(serverDir: dir)
                }
                if json { try printJSON(model); return }
                Self.describe(model, skipped: data.skipped, reconstructions: data.reconstructions.count,
                              path: model.source == .calibrated ? PerformanceModel.path(serverDir: dir) : nil)
            } catch let e as CLIError { throw e } catch { fail(error) }
        }

        static func describe(_ model: PerformanceModel, skipped: [String: Int] = [:], reconstructions: Int = 0, path: String?) {
            let c = model.coefficients
            print(model.source == .calibrated ? "model calibrated from the journal" : "default model (nothing recorded to fit)")
            var t = Table(header: ["COEFFICIENT", "VALUE", "UNIT"])
            t.rows = [["overhead", String(format: "%.4g", c.overheadSeconds), "s per task"],
                      ["command", String(format: "%.4g", c.commandSeconds), "s per task run by an external command"],
                      ["queue_factor", String(format: "%.4g", c.queueFactor), "× profile queue_wait"],
                      ["latency_factor", String(format: "%.4g", c.latencyFactor), "× profile per_circuit/per_shot latency"],
                      ["simulation", String(format: "%.4g", c.simulationSeconds), "s per 10⁶ amplitude-gate updates"],
                      ["sampling", String(format: "%.4g", c.samplingSeconds), "s per 10⁶ sampled bits"],
                      ["routed_gate", String(format: "%.4g", c.routedGateSeconds), "s per routed 2q gate per circuit"],
                      ["dispatch", String(format: "%.4g", model.dispatchSeconds), "s bound → started"],
                      ["release", String(format: "%.4g", model.releaseSeconds), "s a slot stays taken after a task ends"],
                      ["reconstruction", String(format: "%.4g", model.reconstructionSeconds), "s per reconstruction"],
                      ["reconstruction_terms", String(format: "%.4g", model.reconstructionSecondsPerMillionTerms), "s per 10⁶ terms × observables"]]
            print(t.render())
            if let f = model.fit {
                print(String(format: "fit: %d runs, R² %.3f, MAPE (median) %.1f%%, mean APE %.1f%%, RMSE %.4f s", f.samples, f.r2, f.mape,
                             f.meanApe, f.rmse))
                print("runs per device: " + f.devices.map { "\($0.device) \($0.runs)" }.joined(separator: ", "))
            }
            if reconstructions > 0 { print("reconstruction fitted to \(reconstructions) fan-in runs") }
            if !skipped.isEmpty {
                print("not used: " + skipped.sorted { $0.key < $1.key }.map { "\($0.value) (\($0.key))" }.joined(separator: ", "))
            }
            if let path { print("stored in \(path)") }
        }
    }

    struct Predict: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Predicted runtime and fidelity of a circuit on each device, and the best cut plan for the pool.")
        @Argument(help: "OpenQASM 2.0 or 3.0 circuit.") var file: String
        @Option(help: "Shots per run.") var shots = 1000
        @Option(help: "Pauli observables (default: Z on every qubit).") var observable: [String] = []
        @OptionGroup var options: DreamerOptions
        @Flag var json = false

        struct Report: Encodable {
            struct Device: Encodable {
                var device: String
                var qubits: Int
                var fits: Bool
                var runtime: Double?
                var fidelity: Double?
                var swaps: Int?
            }
            var qubits: Int
            var model: String
            var devices: [Device]
            var chosen: CandidatePlan?
            var runnersUp: [CandidatePlan]
            var error: String?
        }

        func run() async throws {
            do {
                let text = try CircuitFile.read(file)
                let circuit = try QASMParser.parse(text, fileName: file)
                let profiles = try options.profiles()
                let model = options.model(quiet: json)
                let obs = observable.isEmpty ? [String(repeating: "Z", count: circuit.qubitCount)] : observable
                for o in obs { _ = try PauliString(o) }
                guard shots >= 0 else { throw CLIError("--shots: must be non-negative, got \(shots)", exit: .usage) }
                var report = Report(qubits: circuit.qubitCount, model: model.source.rawValue, devices: [], chosen: nil,
                                    runnersUp: [], error: nil)
                let router = SabreRouter(layoutTrials: 2, layoutIterations: 1)
                for p in profiles {
                    guard p.qubits >= circuit.qubitCount, let routed = try? router.route(circuit, on: p) else {
                        report.devices.append(.init(device: p.name, qubits: p.qubits, fits: false))
                        continue
                    }
                    let features = TaskFeatures.of(circuit, observables: obs, shots: shots, on: p, threads: 1,
                                                   routedTwoQubitGates: routed.twoQubitGateCost)
                    let esp = try FidelityEstimate.estimate(circuit, on: p, router: router)
                    report.devices.append(.init(device: p.name, qubits: p.qubits, fits: true, runtime: model.runtime(features),
                                                fidelity: esp.successProbability, swaps: routed.swapCount))
                }
                // Planning is CPU work; it runs off the cooperative pool's threads.
                let optimizer = CutOptimizer(model: model, pool: try options.pool(profiles), budget: try options.budget())
                let shotsCopy = shots
                let outcome = await Task.detached { () -> Result<CutOptimizer.Outcome, DreamerError> in
                    do throws(DreamerError) { return .success(try optimizer.search(circuit, observables: obs, shots: shotsCopy)) }
                    catch { return .failure(error) }
                }.value
                switch outcome {
                case .success(let o):
                    report.chosen = o.chosen
                    report.runnersUp = Array(o.ranked.dropFirst().prefix(4))
                case .failure(let e):
                    report.error = e.message
                }
                if json { try printJSON(report) } else {
                    print("\(file): \(circuit.qubitCount) qubits, \(circuit.gateCount) gates; \(model.source == .calibrated ? "calibrated model" : "default model")")
                    var t = Table(header: ["DEVICE", "QUBITS", "RUNTIME", "FIDELITY", "SWAPS"])
                    for d in report.devices {
                        t.rows.append([d.device, String(d.qubits), d.runtime.map(formatDuration) ?? "too narrow",
                                       d.fidelity.map { String(format: "%.4f", $0) } ?? "-", d.swaps.map(String.init) ?? "-"])
                    }
                    print(t.render())
                    if let c = report.chosen {
                        print("best plan: \(c.label): predicted makespan \(formatDuration(c.predictedMakespan)), fidelity \(String(format: "%.3f", c.fidelity)), sampling overhead \(CutBudget.format(c.samplingOverhead))")
                        print(CandidatePlan.table([c] + report.runnersUp, chosen: c.label).render())
                    }
                }
                if let e = report.error { throw CLIError(e) }
            } catch let e as CLIError { throw e } catch { fail(error) }
        }
    }
}
