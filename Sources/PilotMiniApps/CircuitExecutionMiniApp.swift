import Dispatch
import PilotQuantum

/// `pilot miniapp circuit-execution`: runs the ensemble in this process (the runner's concurrency
/// plays the role of QPU-proxy slots) and checks each estimate against the exact value.
public enum CircuitExecutionMiniApp {
    public static func run(_ c: CircuitExecutionConfiguration, runner: LocalQuantumRunner,
                           onCircuit: (CircuitExecutionReport.Circuit) -> Void = { _ in }) async throws(MiniAppError) -> CircuitExecutionReport {
        let jobs = try CircuitExecutionWorkload.jobs(c)
        let started = DispatchTime.now().uptimeNanoseconds
        let results = try await runner.run(jobs)
        let wall = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let simulator = StateVectorSimulator(threads: runner.threads)
        var records: [CircuitExecutionReport.Circuit] = []
        var maxError: Double?
        for (i, result) in results.enumerated() {
            let circuit = CircuitExecutionWorkload.circuit(c, index: i)
            var exact: [Double]?
            var z: Double?
            if c.verify, c.qubits <= 24, !result.expectations.isEmpty {
                do {
                    let state = try simulator.statevector(circuit.unitaryPart)
                    let values = try result.expectations.map { (e: ExpectationValue) throws(QuantumError) in
                        simulator.expectation(try PauliString(e.observable).resized(to: c.qubits), state: state)
                    }
                    exact = values
                    for (e, x) in zip(result.expectations, values) {
                        maxError = max(maxError ?? 0, abs(e.value - x))
                        if e.standardError > 0 { z = max(z ?? 0, abs(e.value - x) / e.standardError) }
                    }
                } catch {
                    throw MiniAppError.simulation(error, "exact check of circuit \(i)")
                }
            }
            let record = CircuitExecutionReport.Circuit(index: i, gates: circuit.gateCount, distinctOutcomes: result.counts.count,
                                                        expectations: result.expectations, exact: exact, maxZScore: z,
                                                        executionSeconds: result.timings.executionSeconds,
                                                        totalSeconds: result.timings.totalSeconds)
            onCircuit(record)
            records.append(record)
        }
        let meanExec = records.reduce(0) { $0 + $1.executionSeconds } / Double(max(1, records.count))
        return CircuitExecutionReport(qubits: c.qubits, depth: c.depth, shots: c.shots, device: runner.device.name,
                                      circuits: records, wallSeconds: wall,
                                      circuitsPerSecond: wall > 0 ? Double(records.count) / wall : 0,
                                      meanExecutionSeconds: meanExec, maxAbsError: maxError)
    }
}
