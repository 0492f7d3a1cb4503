import Dispatch
import PilotCore
import PilotQuantum

/// `pilot miniapp cutting`: cut a circuit too wide for the device with `CircuitCutter`, run the
/// sub-experiments (in-process, or as tasks built by `tasks`), reconstruct, compare with exact.
public enum CuttingMiniApp {
    public static func circuit(_ c: CuttingConfiguration) throws(MiniAppError) -> QuantumCircuit {
        if let text = c.circuitQASM {
            do { return try QASMParser.parse(text, fileName: "circuit.qasm") } catch {
                throw MiniAppError.simulation(error, "reading the circuit")
            }
        }
        guard (2...24).contains(c.qubits) else {
            throw MiniAppError(.invalidParameter, "must be 2...24, got \(c.qubits)", field: "qubits")
        }
        return RandomCircuit.make(qubits: c.qubits, depth: c.depth, seed: c.seed)
    }

    public static func observable(_ c: CuttingConfiguration, qubits: Int) -> String {
        c.observable ?? String(repeating: "Z", count: qubits)
    }

    public static func plan(_ c: CuttingConfiguration) throws(MiniAppError) -> (circuit: QuantumCircuit, plan: CutPlan) {
        let circuit = try circuit(c)
        do {
            let plan = try CircuitCutter.cut(circuit, observables: [observable(c, qubits: circuit.qubitCount)],
                                             maxFragmentQubits: c.maxFragmentQubits, shots: c.shots, seed: c.seed,
                                             device: c.device)
            return (circuit, plan)
        } catch {
            throw MiniAppError.simulation(error, "cutting")
        }
    }

    /// The sub-experiments as tasks, in the order `reconstruct` expects their results.
    public static func tasks(_ plan: CutPlan, device: String, template: TaskSpec = TaskSpec(),
                             pilotExecutable: String = "pilot") throws(MiniAppError) -> [TaskSpec] {
        let factory = QuantumTaskFactory(device: device, template: template, pilotExecutable: pilotExecutable)
        var out: [TaskSpec] = []
        for (k, s) in plan.subexperiments.enumerated() { out.append(try factory.task(for: s.job, name: "cut[\(k)]")) }
        return out
    }

    /// Reconstruction from the tasks' result JSON, in `tasks` order.
    public static func reconstruct(_ plan: CutPlan, resultJSONs: [String?]) throws(MiniAppError) -> [ExpectationValue] {
        var results: [QuantumResult] = []
        for json in resultJSONs { results.append(try QuantumTaskFactory.result(from: json)) }
        do { return try CircuitCutter.reconstruct(plan, results: results) } catch {
            throw MiniAppError.simulation(error, "reconstruction")
        }
    }

    public static func run(_ c: CuttingConfiguration, runner: LocalQuantumRunner) async throws(MiniAppError) -> CuttingReport {
        let started = DispatchTime.now().uptimeNanoseconds
        let (circuit, plan) = try plan(c)
        let results = try await runner.run(plan.jobs)
        let values: [ExpectationValue]
        let exact: Double
        let label = observable(c, qubits: circuit.qubitCount)
        do {
            values = try CircuitCutter.reconstruct(plan, results: results)
            exact = try StateVectorSimulator(threads: runner.threads).expectation(PauliString(label), circuit: circuit.unitaryPart)
        } catch {
            throw MiniAppError.simulation(error, "reconstruction")
        }
        guard let value = values.first else { throw MiniAppError(.badResult, "the reconstruction returned no value") }
        let err = value.value - exact
        return CuttingReport(qubits: circuit.qubitCount, maxFragmentQubits: c.maxFragmentQubits, cuts: plan.cuts.count,
                             fragments: plan.fragments.count, fragmentWidths: plan.fragments.map(\.circuit.qubitCount),
                             subexperiments: plan.subexperiments.count, reconstructionTerms: plan.reconstructionTerms,
                             shots: c.shots, observable: label, reconstructed: value.value, standardError: value.standardError,
                             exact: exact, error: err,
                             withinThreeSigma: abs(err) <= max(3 * value.standardError, 1e-9),
                             seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
    }
}
