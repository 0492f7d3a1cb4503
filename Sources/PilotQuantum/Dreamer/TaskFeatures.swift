import Foundation

/// What the performance model knows about one quantum task on one device: the circuit's shape
/// (before and after routing), the job's size and the device's latency profile, reduced to the
/// few work measures the runtime is linear in. See `PerformanceModel` for how each is used.
public struct TaskFeatures: Sendable, Codable, Hashable {
    public var qubits: Int
    public var depth: Int
    public var oneQubitGates: Int
    public var twoQubitGates: Int
    /// Two-qubit gates after SABRE routing onto the device (SWAPs count as three CX).
    public var routedTwoQubitGates: Int
    public var shots: Int
    public var observables: Int
    /// Parameter sets bound into the circuit; each runs the circuit once more.
    public var parameterSets: Int
    public var executor: ExecutorKind
    /// Simulator threads: the cores bound to the task.
    public var threads: Int
    /// Circuits the device runs for the job: one for counts plus one per non-trivial observable.
    public var circuits: Int
    /// State preparations per circuit: 1, or the quantum trajectories of a noisy simulator.
    public var trajectories: Int
    /// The device's own latency model (seconds), as its profile states it.
    public var queueWaitSeconds: Double
    public var latencySeconds: Double

    public enum ExecutorKind: String, Sendable, Codable, Hashable, CaseIterable {
        /// The embedded state-vector simulator (noise by trajectories).
        case embedded
        /// An external program started per job.
        case command
    }

    /// Amplitude-gate updates of the simulation in millions, per effective thread: the state
    /// vector of 2^qubits amplitudes is swept once per gate, per circuit and trajectory.
    public var simulationWork: Double {
        let amplitudes = pow(2.0, Double(qubits))
        let gates = Double(oneQubitGates + twoQubitGates + 2)
        let runs = Double(max(1, circuits) * max(1, trajectories) * max(1, parameterSets))
        return runs * gates * amplitudes / 1e6 / Double(effectiveThreads)
    }

    /// Millions of sampled bits: shots × circuits × qubits (drawing and counting outcomes).
    public var samplingWork: Double {
        Double(shots) * Double(max(1, circuits) * max(1, parameterSets)) * Double(qubits) / 1e6
    }

    /// The kernels only split a sweep over threads on wide states (`ParallelLoop`); below that,
    /// extra cores do not help.
    public var effectiveThreads: Int { qubits >= Self.parallelFromQubits ? max(1, threads) : 1 }
    static let parallelFromQubits = 16

    public init(qubits: Int, depth: Int, oneQubitGates: Int, twoQubitGates: Int, routedTwoQubitGates: Int, shots: Int,
                observables: Int, parameterSets: Int = 1, executor: ExecutorKind, threads: Int, circuits: Int,
                trajectories: Int, queueWaitSeconds: Double, latencySeconds: Double) {
        self.qubits = qubits; self.depth = depth; self.oneQubitGates = oneQubitGates; self.twoQubitGates = twoQubitGates
        self.routedTwoQubitGates = routedTwoQubitGates; self.shots = shots; self.observables = observables
        self.parameterSets = parameterSets; self.executor = executor; self.threads = threads; self.circuits = circuits
        self.trajectories = trajectories; self.queueWaitSeconds = queueWaitSeconds; self.latencySeconds = latencySeconds
    }
}

extension TaskFeatures {
    /// Features of running `circuit` with `observables` (labels) and `shots` on `device` with
    /// `threads` simulator threads. `routedTwoQubitGates` comes from routing when the caller has
    /// routed the circuit (nil: the logical count, as on an all-to-all device).
    public static func of(_ circuit: QuantumCircuit, observables: [String], shots: Int, parameterSets: Int = 1,
                          on device: QPUDeviceProfile, threads: Int, routedTwoQubitGates: Int? = nil) -> TaskFeatures {
        var one = 0, two = 0
        var measures = false
        var layer = [Int](repeating: 0, count: max(1, circuit.qubitCount))
        for op in circuit.operations {
            switch op {
            case .gate(let g):
                if g.qubits.count == 1 { one += 1 } else { two += g.qubits.count == 2 ? 1 : 3 }
                let level = (g.qubits.map { layer[$0] }.max() ?? 0) + 1
                for q in g.qubits { layer[q] = level }
            case .measure: measures = true
            case .reset, .barrier: break
            }
        }
        // As QPUExecutor runs a job: counts when measured (or when nothing else is asked), then one
        // circuit per non-trivial observable (shots > 0) or one exact state (shots = 0).
        let nontrivial = observables.filter { $0.contains { $0 != "I" } }.count
        var circuits = 0
        if shots > 0, measures || observables.isEmpty { circuits += 1 }
        if !observables.isEmpty { circuits += shots == 0 ? 1 : nontrivial }
        let noisy = device.noise.hasGateNoise && shots > 0
        let trajectories = noisy ? min(shots, device.noise.trajectories) : 1
        let kind: ExecutorKind
        switch device.executor {
        case .embedded: kind = .embedded
        case .command: kind = .command
        }
        let latency = device.latency.perCircuit * Double(circuits) + device.latency.perShot * Double(shots) * Double(circuits)
        return TaskFeatures(qubits: circuit.qubitCount, depth: layer.max() ?? 0, oneQubitGates: one, twoQubitGates: two,
                            routedTwoQubitGates: routedTwoQubitGates ?? two, shots: shots, observables: observables.count,
                            parameterSets: parameterSets, executor: kind, threads: threads, circuits: max(1, circuits),
                            trajectories: trajectories, queueWaitSeconds: device.latency.queueWait,
                            latencySeconds: latency * Double(max(1, parameterSets)))
    }
}
