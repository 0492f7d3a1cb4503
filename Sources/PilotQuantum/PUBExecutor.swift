import Dispatch
import Foundation

/// Runs `PUBJob`s on a device's embedded simulator, or through its external command one bound
/// circuit at a time (`PUBExecutor+Command.swift`), with the device's latency model, as
/// `QPUExecutor` does for single circuits.
///
/// Each PUB's circuit is read once (when the job is parsed); each binding only fills in the
/// parameters. The estimator prepares one state per binding and evaluates every observable
/// broadcast onto that binding against it; a Pauli term shared by several of those observables is
/// measured once. Latency: `per_circuit` per bound circuit run (sampler: per binding; estimator
/// with shots: per binding and measured term) plus `per_shot` per shot.
public enum PUBExecutor {
    public static func run(_ job: PUBJob, on device: QPUDeviceProfile, threads: Int,
                           latencyScale: Double = 1.0) async throws(QuantumError) -> PUBJobResult {
        let start = DispatchTime.now().uptimeNanoseconds
        try check(job, on: device)
        let seed = job.seed ?? UInt64.random(in: 0...UInt64.max)
        let scale = max(0, latencyScale)
        try await QPUExecutor.sleep(seconds: device.latency.queueWait * scale)
        let executionStart = DispatchTime.now().uptimeNanoseconds
        let outcome: Outcome
        switch device.executor {
        case .embedded:
            let noise = device.noise
            outcome = try await offload { () throws(QuantumError) in
                try simulateOutcome(job, seed: seed, noise: noise, threads: threads)
            }
        case .command(let argv, let timeout):
            outcome = try await runCommand(job, device: CommandDevice(argv: argv, timeout: timeout), seed: seed)
        }
        let modeled = scale * (device.latency.perCircuit * Double(outcome.circuits)
            + device.latency.perShot * Double(outcome.shots))
        let spent = Double(DispatchTime.now().uptimeNanoseconds - executionStart) / 1e9
        if modeled > spent { try await QPUExecutor.sleep(seconds: modeled - spent) }
        let end = DispatchTime.now().uptimeNanoseconds
        let timings = QuantumTimings(queueWaitSeconds: Double(executionStart - start) / 1e9,
                                     executionSeconds: Double(end - executionStart) / 1e9,
                                     totalSeconds: Double(end - start) / 1e9)
        return PUBJobResult(primitive: job.primitive, device: device.name, seed: seed, pubs: outcome.pubs, timings: timings)
    }

    /// Width and basis checks against the device, before any waiting.
    public static func check(_ job: PUBJob, on device: QPUDeviceProfile) throws(QuantumError) {
        if let name = job.device, !["", "any", "auto"].contains(name), name != device.name {
            throw QuantumError(.deviceMismatch, "job targets device '\(name)' but was given '\(device.name)'", field: "device")
        }
        for (index, pub) in job.pubs.enumerated() {
            let circuit = pub.circuit.template
            guard circuit.qubitCount <= device.qubits else {
                throw QuantumError(.deviceMismatch,
                                   "circuit uses \(circuit.qubitCount) qubits but device '\(device.name)' has \(device.qubits)",
                                   field: "pubs[\(index)].circuit")
            }
            guard device.enforceBasisGates else { continue }
            let allowed = Set(device.basisGates)
            for op in circuit.operations {
                if case .gate(let g) = op, !allowed.contains(g.kind.rawValue) {
                    throw QuantumError(.deviceMismatch,
                                       "gate '\(g.kind.rawValue)' is not in the basis of device '\(device.name)' (\(device.basisGates.joined(separator: ", ")))",
                                       field: "pubs[\(index)].circuit")
                }
                if case .reset = op, !allowed.contains("reset") {
                    throw QuantumError(.deviceMismatch, "device '\(device.name)' does not support reset", field: "pubs[\(index)].circuit")
                }
            }
        }
    }

    struct Outcome: Sendable {
        var pubs: [PUBResult]
        var circuits: Int
        var shots: Int
    }

    /// Simulation is CPU-bound: it runs on a Dispatch thread, and cancelling the calling task sets
    /// the flag the kernels check (as in `QPUExecutor.runEmbedded`).
    public static func offload<T: Sendable>(_ work: @escaping @Sendable () throws(QuantumError) -> T) async throws(QuantumError) -> T {
        let cancellation = SimulationCancellation()
        let result: Result<T, QuantumError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                DispatchQueue.global(qos: .userInitiated).async {
                    do throws(QuantumError) {
                        continuation.resume(returning: .success(try cancellation.run(work)))
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

    public static func simulate(_ job: PUBJob, seed: UInt64, noise: NoiseModel = .ideal,
                                threads: Int = 1) throws(QuantumError) -> (pubs: [PUBResult], circuits: Int, shots: Int) {
        let outcome = try simulateOutcome(job, seed: seed, noise: noise, threads: threads)
        return (outcome.pubs, outcome.circuits, outcome.shots)
    }

    static func simulateOutcome(_ job: PUBJob, seed: UInt64, noise: NoiseModel, threads: Int) throws(QuantumError) -> Outcome {
        try noise.validate()
        let simulator = StateVectorSimulator(threads: threads)
        var outcome = Outcome(pubs: [], circuits: 0, shots: 0)
        for (index, pub) in job.pubs.enumerated() {
            var pubSeeds = SeededGenerator(seed: seed, stream: 3_000_000 &+ UInt64(index))
            let pubSeed = pubSeeds.next()
            switch job.primitive {
            case .sampler:
                outcome.pubs.append(try sample(pub, index: index, seed: pubSeed, noise: noise, simulator: simulator,
                                               outcome: &outcome))
            case .estimator:
                outcome.pubs.append(try estimate(pub, index: index, seed: pubSeed, noise: noise, simulator: simulator,
                                                 outcome: &outcome))
            }
        }
        return outcome
    }

    static func checkCancelled() throws(QuantumError) {
        if SimulationCancellation.current?.isCancelled == true {
            throw QuantumError(.cancelled, "the simulation was cancelled")
        }
    }

    /// The circuit of binding `b`; an error names the PUB and the binding's place in the array.
    static func bind(_ pub: PUB, _ b: Int, index: Int) throws(QuantumError) -> QuantumCircuit {
        do {
            return try pub.circuit.bind(pub.values(at: b))
        } catch {
            var located = error
            let path = "pubs[\(index)].parameter_values" + pub.coordinates(ofBinding: b).map { "[\($0)]" }.joined()
            located.message += " (with the values of \(path))"
            located.field = path
            throw located
        }
    }

    static func sample(_ pub: PUB, index: Int, seed: UInt64, noise: NoiseModel, simulator: StateVectorSimulator,
                       outcome: inout Outcome) throws(QuantumError) -> PUBResult {
        let registers = pub.circuit.template.classicalRegisters
        var offsets: [Int] = []
        var offset = 0
        for r in registers {
            offsets.append(offset)
            offset += r.size
        }
        var result = PUBResult(shape: pub.bindingShape, shots: pub.shots)
        result.registers = registers
        var counts: [[String: [String: Int]]] = []
        var joint: [[String: Int]] = []
        for b in 0..<pub.bindingCount {
            try checkCancelled()
            let circuit = try bind(pub, b, index: index)
            try simulator.checkSize(circuit)
            var seeds = SeededGenerator(seed: seed, stream: UInt64(b))
            let words = try simulator.sampleWords(circuit, shots: pub.shots, seed: seeds.next(), noise: noise).words
            outcome.circuits += 1
            outcome.shots += pub.shots
            var perRegister: [String: [String: Int]] = [:]
            var whole: [String: Int] = [:]
            for (word, count) in words {
                var parts: [String] = []
                for (k, r) in registers.enumerated() {
                    let bits = StateVectorSimulator.bitstring(word >> UInt64(offsets[k]), width: r.size)
                    perRegister[r.name, default: [:]][bits, default: 0] += count
                    parts.append(bits)
                }
                if registers.count > 1 { whole[parts.reversed().joined(separator: " "), default: 0] += count }
            }
            counts.append(perRegister)
            if registers.count > 1 { joint.append(whole) }
        }
        result.counts = counts
        if registers.count > 1 { result.jointCounts = joint }
        return result
    }

    static func estimate(_ pub: PUB, index: Int, seed: UInt64, noise: NoiseModel, simulator: StateVectorSimulator,
                         outcome: inout Outcome) throws(QuantumError) -> PUBResult {
        let total = BroadcastShape.count(pub.resultShape)
        var evs = [Double](repeating: 0, count: total)
        var stds = [Double](repeating: 0, count: total)
        var mostShots = 0
        for (b, results) in pub.resultsByBinding() {
            try checkCancelled()
            let unitary = try bind(pub, b, index: index).unitaryPart
            let exact = pub.target == .exact
            // Without gate noise one noise-free state serves every term; with it each term runs
            // its own trajectories.
            let state = exact || !noise.hasGateNoise ? try simulator.prepareState(unitary) : nil
            if exact { outcome.circuits += 1 }
            var bindingSeeds = SeededGenerator(seed: seed, stream: UInt64(b))
            let bindingSeed = bindingSeeds.next()
            var exactCache: [PauliString: Double] = [:]
            var sampled: [SampleKey: ExpectationValue] = [:]
            for (r, o) in results {
                let observable = pub.observables[o]
                var value = 0.0
                var variance = 0.0
                let shots = pub.shots(for: observable)
                for term in observable.terms {
                    if term.pauli.weight == 0 {
                        value += term.coefficient
                    } else if shots == 0 {
                        if exactCache[term.pauli] == nil {
                            exactCache[term.pauli] = StateVectorSimulator.expectation(term.pauli, state: state!)
                        }
                        value += term.coefficient * exactCache[term.pauli]!
                    } else {
                        let key = SampleKey(pauli: term.pauli, shots: shots)
                        if sampled[key] == nil {
                            var termSeeds = SeededGenerator(seed: bindingSeed, stream: UInt64(sampled.count))
                            sampled[key] = try simulator.estimateExpectation(term.pauli, circuit: unitary, shots: shots,
                                                                             seed: termSeeds.next(), noise: noise,
                                                                             idealState: noise.hasGateNoise ? nil : state)
                            outcome.circuits += 1
                            outcome.shots += shots
                            mostShots = max(mostShots, shots)
                        }
                        let estimate = sampled[key]!
                        value += term.coefficient * estimate.value
                        variance += term.coefficient * term.coefficient * estimate.standardError * estimate.standardError
                    }
                }
                evs[r] = value
                stds[r] = variance.squareRoot()
            }
        }
        return pub.estimatorResult(evs: evs, stds: stds, shots: mostShots)
    }

    struct SampleKey: Hashable {
        var pauli: PauliString
        var shots: Int
    }
}
