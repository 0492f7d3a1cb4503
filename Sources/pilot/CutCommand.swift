import ArgumentParser
import Foundation
import PilotQuantum

struct CutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cut",
        abstract: "Cut a circuit too wide for a device into fragments, run the sub-experiments on the embedded simulator, and reconstruct.",
        discussion: "In a workflow, the `cutting` motif runs the sub-experiments as ordinary quantum tasks on pilots instead.")

    @Option(help: "OpenQASM 2.0 or 3.0 circuit (or --qubits/--depth for a random one).") var circuit: String?
    @Option var qubits = 12
    @Option var depth = 2
    @Option var seed: UInt64 = 7
    @Option(help: "Widest fragment allowed (the device's width).") var maxQubits = 7
    @Option(help: "Pauli observables (default: Z on every qubit).") var observable: [String] = []
    @Option(help: "Shots per sub-experiment (0: exact).") var shots = 0
    @Option(help: "Device profile name for execution.") var device = "ideal-sim"
    @Flag(help: "Also cut CZ, CX, CP and RZZ gates (quasi-probability decomposition; one ancilla line per cut end).")
    var gateCuts = false
    @Flag(help: "Only print the plan.") var planOnly = false
    @Flag(help: "Let the optimizer choose fragment widths, gate or wire cuts and devices by predicted makespan (ignores --max-qubits, --gate-cuts, --device).")
    var auto = false
    @OptionGroup(title: "With --auto") var dreamer: DreamerOptions
    @Flag var json = false

    func run() async throws {
        let c: QuantumCircuit
        do {
            if let path = circuit {
                let text = try CircuitFile.read(path)
                c = try QASMParser.parse(text, fileName: path)
            } else { c = RandomCircuit.make(qubits: qubits, depth: depth, seed: seed) }
            let obs = observable.isEmpty ? [String(repeating: "Z", count: c.qubitCount)] : observable
            if auto { try await runAuto(c, observables: obs); return }
            let plan = try CircuitCutter.cut(c, observables: obs, maxFragmentQubits: maxQubits, shots: shots, seed: seed, device: device,
                                             cutGates: gateCuts)
            var report = CutReport(qubits: c.qubitCount, wireCuts: plan.cuts.count, gateCuts: plan.gateCuts.count,
                                   samplingOverhead: plan.samplingOverhead, fragmentQubits: plan.fragments.map(\.circuit.qubitCount),
                                   subexperiments: plan.subexperiments.count, reconstructionTerms: plan.reconstructionTerms, observables: [])
            if !json { print("\(c.qubitCount) qubits → \(plan.cuts.count) wire cuts, \(plan.gateCuts.count) gate cuts (sampling overhead \(String(format: "%.0f", plan.samplingOverhead))), fragments of \(plan.fragments.map { String($0.circuit.qubitCount) }.joined(separator: "+")) qubits, \(plan.subexperiments.count) sub-experiments (\(CutPlan.preparationsPerCut) preparations × \(CutPlan.measurementBasesPerCut) bases per cut), \(plan.reconstructionTerms) reconstruction terms") }
            if planOnly { if json { try printJSON(report) }; return }
            guard let dir = ProjectFiles.find("Profiles") else { throw CLIError("Profiles/ not found") }
            let profile = try QPUDeviceProfile.load(path: "\(dir)/qpu/\(device).yaml")
            let values = try await CircuitCutter.execute(plan, on: profile, threads: 1, latencyScale: 0)
            let sim = StateVectorSimulator(threads: 1)
            let state = try sim.statevector(c)
            for (o, v) in zip(obs, values) {
                let exact = sim.expectation(try PauliString(o).resized(to: c.qubitCount), state: state)
                report.observables.append(.init(observable: o, value: v.value, standardError: v.standardError, exact: exact))
                if !json { print("⟨\(o)⟩ = \(String(format: "%.6f", v.value)) ± \(String(format: "%.6f", v.standardError))   exact \(String(format: "%.6f", exact))   error \(String(format: "%.2e", abs(v.value - exact)))") }
            }
            if json { try printJSON(report) }
        } catch let e as CLIError { throw e } catch { fail(error) }
    }
}

extension CutCommand {
    /// `--auto`: the optimizer's choice and runners-up, then (unless `--plan-only`) the chosen plan
    /// run on its devices' embedded executors (latency not waited out) and reconstructed.
    func runAuto(_ c: QuantumCircuit, observables obs: [String]) async throws {
        for o in obs { _ = try PauliString(o) }
        let profiles = try dreamer.profiles()
        let optimizer = CutOptimizer(model: dreamer.model(quiet: json), pool: try dreamer.pool(profiles), budget: try dreamer.budget())
        let (shots, seed) = (self.shots, self.seed)
        // Planning routes and cuts many times: CPU work, kept off the cooperative pool's threads.
        let searched = await Task.detached { () -> Result<CutOptimizer.Outcome, DreamerError> in
            do throws(DreamerError) { return .success(try optimizer.search(c, observables: obs, shots: shots, seed: seed)) }
            catch { return .failure(error) }
        }.value
        let outcome = try searched.get()
        let chosen = outcome.chosen
        let shown = Array(outcome.ranked.prefix(5))
        var report = AutoCutReport(qubits: c.qubitCount, chosen: chosen, runnersUp: Array(shown.dropFirst()),
                                   overBudget: outcome.overBudget.count, skipped: outcome.skipped, observables: [])
        if !json {
            print("\(c.qubitCount) qubits: \(outcome.ranked.count) plans within budget (\(optimizer.budget.description)), \(outcome.overBudget.count) over; \(optimizer.model.source == .calibrated ? "calibrated model" : "default model")")
            print(CandidatePlan.table(shown, chosen: chosen.label).render())
            print("chosen: \(chosen.label): \(chosen.wireCuts) wire cuts, \(chosen.gateCuts) gate cuts, fragments of \(chosen.fragmentQubits.map(String.init).joined(separator: "+")) qubits on \(chosen.fragmentDevices.joined(separator: ", ")), predicted makespan \(formatDuration(chosen.predictedMakespan))")
        }
        if planOnly { if json { try printJSON(report) }; return }
        guard let plan = outcome.cutPlan(for: chosen) else { throw CLIError("the chosen plan was not kept") }
        let byName = Dictionary(profiles.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var results: [QuantumResult] = []
        for (sub, a) in zip(plan.subexperiments, chosen.assignment) {
            var job = sub.job
            job.device = a.device
            guard let device = byName[a.device] else { throw CLIError("device \(a.device) vanished") }
            results.append(try await QPUExecutor.run(job, on: device, threads: 1, latencyScale: 0))
        }
        let values = try CircuitCutter.reconstruct(plan, results: results)
        let sim = StateVectorSimulator(threads: 1)
        let state = try sim.statevector(c)
        for (o, v) in zip(obs, values) {
            let exact = sim.expectation(try PauliString(o).resized(to: c.qubitCount), state: state)
            report.observables.append(.init(observable: o, value: v.value, standardError: v.standardError, exact: exact))
            if !json { print("⟨\(o)⟩ = \(String(format: "%.6f", v.value)) ± \(String(format: "%.6f", v.standardError))   exact \(String(format: "%.6f", exact))   error \(String(format: "%.2e", abs(v.value - exact)))") }
        }
        if json { try printJSON(report) }
    }
}

/// What `pilot cut --auto --json` prints.
struct AutoCutReport: Encodable {
    var qubits: Int
    var chosen: CandidatePlan
    var runnersUp: [CandidatePlan]
    var overBudget: Int
    var skipped: [String]
    var observables: [CutReport.Observable]
}

/// What `pilot cut --json` prints: the plan's shape and, unless `--plan-only`, each observable.
struct CutReport: Encodable {
    struct Observable: Encodable {
        var observable: String
        var value: Double
        var standardError: Double
        var exact: Double
    }
    var qubits: Int
    var wireCuts: Int
    var gateCuts: Int
    var samplingOverhead: Double
    var fragmentQubits: [Int]
    var subexperiments: Int
    var reconstructionTerms: Int
    var observables: [Observable]
}
