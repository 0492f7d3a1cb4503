import Dispatch
import Foundation

/// Runs `QuantumJob`s against a device profile: validates the circuit, waits out the device's
/// latency model (really sleeping, so device leases last as long as they would on hardware) and
/// executes on the embedded simulator or an external command.
///
/// Latency: the queue wait is slept first; execution then takes at least
/// `per_circuit × circuits + per_shot × shots × circuits` (all × `latencyScale`), where a job runs
/// one circuit for counts plus one basis-rotated circuit per non-trivial observable. If the
/// simulation itself is slower, no extra time is added.
///
/// Counts are produced when shots > 0 and the circuit measures something (or no observables were
/// requested, in which case all qubits are measured). Each observable is estimated from its own
/// `shots` samples in the Pauli's basis. shots == 0 asks for exact, noise-free expectation values
/// (standard error 0) and no counts.
public enum QPUExecutor {
    /// Jobs larger than this are refused before any work starts.
    public static let maxShots = 10_000_000

    public static func run(_ job: QuantumJob, on device: QPUDeviceProfile, threads: Int,
                           latencyScale: Double = 1.0) async throws(QuantumError) -> QuantumResult {
        let start = DispatchTime.now().uptimeNanoseconds
        let circuit = try validate(job, on: device)
        let observables = try job.observables.map { (label: String) throws(QuantumError) in
            try PauliString(label).resized(to: circuit.qubitCount)
        }
        let seed = job.seed ?? UInt64.random(in: 0...UInt64.max)
        let scale = max(0, latencyScale)

        try await sleep(seconds: device.latency.queueWait * scale)
        let executionStart = DispatchTime.now().uptimeNanoseconds
        let queueWait = Double(executionStart - start) / 1e9

        var outcome: ExecutionOutcome
        switch device.executor {
        case .embedded:
            outcome = try await runEmbedded(job, circuit: circuit, observables: observables, seed: seed,
                                            noise: device.noise, threads: threads)
        case .command(let argv, let timeout):
            outcome = try await CommandRunner.run(job, argv: argv, timeout: timeout, circuit: circuit,
                                                  observables: observables, seed: seed)
        }

        let modeled = scale * (device.latency.perCircuit * Double(outcome.circuits)
            + device.latency.perShot * Double(job.shots) * Double(outcome.circuits))
        let spent = Double(DispatchTime.now().uptimeNanoseconds - executionStart) / 1e9
        if modeled > spent { try await sleep(seconds: modeled - spent) }
        let end = DispatchTime.now().uptimeNanoseconds
        outcome.result.timings = QuantumTimings(queueWaitSeconds: queueWait,
                                                executionSeconds: Double(end - executionStart) / 1e9,
                                                totalSeconds: Double(end - start) / 1e9)
        outcome.result.device = device.name
        return outcome.result
    }

    public struct ExecutionOutcome: Sendable {
        public var result: QuantumResult
        public var circuits: Int
    }

    /// Parses the job's circuit and checks it fits the device (width; basis gates only when the
    /// profile enforces them). No transpilation or routing is attempted.
    public static func validate(_ job: QuantumJob, on device: QPUDeviceProfile) throws(QuantumError) -> QuantumCircuit {
        guard job.shots >= 0, job.shots <= maxShots else {
            throw QuantumError(.invalidArgument, "shots must be in 0...\(maxShots), got \(job.shots)")
        }
        // `any` and `auto` leave the device to the scheduler: the lease names it.
        if job.device != device.name, !["", "any", "auto"].contains(job.device) {
            throw QuantumError(.deviceMismatch, "job targets device '\(job.device)' but was given '\(device.name)'")
        }
        let circuit = try QASMParser.parse(job.circuit, fileName: "job.qasm")
        guard circuit.qubitCount <= device.qubits else {
            throw QuantumError(.deviceMismatch,
                               "circuit uses \(circuit.qubitCount) qubits but device '\(device.name)' has \(device.qubits)")
        }
        if device.enforceBasisGates {
            let allowed = Set(device.basisGates)
            for op in circuit.operations {
                if case .gate(let g) = op, !allowed.contains(g.kind.rawValue) {
                    throw QuantumError(.deviceMismatch,
                                       "gate '\(g.kind.rawValue)' is not in the basis of device '\(device.name)' (\(device.basisGates.joined(separator: ", ")))")
                }
                if case .reset = op, !allowed.contains("reset") {
                    throw QuantumError(.deviceMismatch, "device '\(device.name)' does not support reset")
                }
            }
        }
        return circuit
    }

    static func sleep(seconds: Double) async throws(QuantumError) {
        guard seconds > 0 else { return }
        do {
            try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
        } catch {
            throw QuantumError(.cancelled, "job cancelled while waiting for the device", cause: error)
        }
    }

    /// Simulation is CPU-bound, so it runs on a Dispatch queue rather than blocking a thread of
    /// the cooperative pool that the agent's networking also needs.
    static func runEmbedded(_ job: QuantumJob, circuit: QuantumCircuit, observables: [PauliString], seed: UInt64,
                            noise: NoiseModel, threads: Int) async throws(QuantumError) -> ExecutionOutcome {
        // The simulation runs on a Dispatch thread, outside the task: cancelling the task sets the
        // flag its kernels check.
        let cancellation = SimulationCancellation()
        let result: Result<ExecutionOutcome, QuantumError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                DispatchQueue.global(qos: .userInitiated).async {
                    do throws(QuantumError) {
                        continuation.resume(returning: .success(try cancellation.run { () throws(QuantumError) in
                            try simulate(job, circuit: circuit, observables: observables, seed: seed, noise: noise, threads: threads)
                        }))
                    } catch {
                        continuation.resume(returning: .failure(error))
                    }
                }
            }
        } onCancel: {
            cancellation.cancel()
        }
        return try result.get()
    }

    public static func simulate(_ job: QuantumJob, circuit: QuantumCircuit, observables: [PauliString], seed: UInt64,
                                noise: NoiseModel, threads: Int) throws(QuantumError) -> ExecutionOutcome {
        let simulator = StateVectorSimulator(threads: threads)
        var counts: [String: Int] = [:]
        var trajectories: Int?
        var circuits = 0
        let hasMeasurements = circuit.operations.contains { if case .measure = $0 { return true } else { return false } }
        if job.shots > 0, hasMeasurements || observables.isEmpty {
            (counts, trajectories) = try simulator.sampleCounts(circuit, shots: job.shots, seed: seed, noise: noise)
            circuits += 1
        }
        var expectations: [ExpectationValue] = []
        if !observables.isEmpty {
            let unitary = circuit.unitaryPart
            if job.shots == 0 {
                let state = try simulator.prepareState(unitary)
                expectations = observables.map {
                    ExpectationValue(observable: $0.label, value: StateVectorSimulator.expectation($0, state: state),
                                     standardError: 0)
                }
                circuits += 1
            } else {
                let shared = noise.hasGateNoise ? nil : try simulator.prepareState(unitary)
                for (k, pauli) in observables.enumerated() {
                    var seeds = SeededGenerator(seed: seed, stream: 1_000_000 + UInt64(k))
                    let observableSeed = seeds.next()
                    expectations.append(try simulator.estimateExpectation(pauli, circuit: unitary, shots: job.shots,
                                                                          seed: observableSeed, noise: noise,
                                                                          idealState: shared))
                    if pauli.weight > 0 { circuits += 1 }
                    if noise.hasGateNoise { trajectories = min(job.shots, noise.trajectories) }
                }
            }
        }
        let result = QuantumResult(device: job.device, qubits: circuit.qubitCount, shots: job.shots, seed: seed,
                                   counts: counts, expectations: expectations,
                                   timings: QuantumTimings(queueWaitSeconds: 0, executionSeconds: 0, totalSeconds: 0),
                                   trajectories: trajectories)
        return ExecutionOutcome(result: result, circuits: circuits)
    }
}
