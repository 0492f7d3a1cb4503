import PilotQuantum

/// The VQE loop as a state machine shared by the in-process runner and the workflow driver:
/// `pendingJobs()` says what to evaluate, `record(_:)` consumes the results in the same order and
/// steps the optimiser.
public struct VQEState: Sendable {
    public let configuration: VQEConfiguration
    public let hamiltonian: PauliSum
    public let ansatz: HardwareEfficientAnsatz
    public let exactEnergy: Double
    public private(set) var optimizer: VariationalOptimizer
    public private(set) var rounds: [VQERound] = []
    public private(set) var bestEnergy = Double.infinity
    public private(set) var bestParameters: [Double] = []
    private var quietRounds = 0

    public init(_ configuration: VQEConfiguration) throws(MiniAppError) {
        self.configuration = configuration
        hamiltonian = try .transverseFieldIsing(qubits: configuration.qubits, j: configuration.j, h: configuration.h)
        ansatz = try HardwareEfficientAnsatz(qubits: configuration.qubits, layers: configuration.layers)
        exactEnergy = try ExactDiagonalization.groundEnergy(of: hamiltonian)
        let initial = VariationalOptimizer.initialParameters(count: ansatz.parameterCount, scale: configuration.initScale,
                                                             seed: configuration.seed)
        optimizer = try VariationalOptimizer(initial: initial, settings: configuration.optimizer)
    }

    /// Converged (energy stable within tolerance for `patience` rounds) or out of rounds.
    public var isDone: Bool { quietRounds >= configuration.patience || rounds.count >= configuration.maxRounds }
    public var converged: Bool { quietRounds >= configuration.patience }

    /// The jobs of the next round: one per optimiser point, each estimating every Hamiltonian term.
    public func pendingJobs() -> [QuantumJob] {
        let round = UInt64(rounds.count)
        return optimizer.points().enumerated().map { k, theta in
            let seed = configuration.shots > 0 ? configuration.seed &+ round &* 1_000_003 &+ UInt64(k) : configuration.seed
            return QuantumJob(circuit: ansatz.circuit(parameters: theta).qasm(), shots: configuration.shots, seed: seed,
                              observables: hamiltonian.labels, device: configuration.device)
        }
    }

    /// The same round as `pendingJobs()`, as one parameterized circuit with a binding per job.
    public func pendingBatch() -> RoundBatch? {
        let round = UInt64(rounds.count)
        return RoundBatch(circuit: ansatz.parameterizedQASM3(), parameters: ansatz.parameterNames, bindings: optimizer.points(),
                          observables: hamiltonian.labels, qubits: configuration.qubits, shots: configuration.shots,
                          seed: configuration.shots > 0 ? configuration.seed &+ round &* 1_000_003 : configuration.seed)
    }

    /// Consumes one round's results (same order as `pendingJobs()`).
    @discardableResult
    public mutating func record(_ results: [QuantumResult], seconds: Double = 0) throws(MiniAppError) -> VQERound {
        var energies: [[Double]] = []
        for r in results {
            guard r.expectations.count == hamiltonian.terms.count else {
                throw MiniAppError(.badResult, "a result has \(r.expectations.count) expectation values, expected \(hamiltonian.terms.count)")
            }
            energies.append([try hamiltonian.energy(expectations: r.expectations.map(\.value))])
        }
        let start = optimizer.parameters
        let energy = try optimizer.step(evaluations: energies, loss: { $0[0] }, lossGradient: { _ in [1] })
        if let last = rounds.last, abs(last.energy - energy) < configuration.tolerance { quietRounds += 1 } else { quietRounds = 0 }
        if energy < bestEnergy {
            bestEnergy = energy
            bestParameters = start
        }
        let round = VQERound(round: rounds.count, energy: energy, error: energy - exactEnergy, evaluations: results.count,
                             seconds: seconds)
        rounds.append(round)
        return round
    }

    /// First round whose energy is within `accuracy` of the exact ground energy.
    public func roundsToReach(_ accuracy: Double) -> Int? {
        rounds.first { abs($0.error) <= accuracy }.map { $0.round + 1 }
    }

    public var report: VQEReport {
        VQEReport(qubits: configuration.qubits, layers: configuration.layers, parameters: ansatz.parameterCount,
                  optimizer: configuration.optimizer.method.rawValue, shots: configuration.shots,
                  exactEnergy: exactEnergy, finalEnergy: rounds.last?.energy, bestEnergy: rounds.isEmpty ? nil : bestEnergy,
                  rounds: rounds.count, converged: converged, roundsToWithin1e2: roundsToReach(1e-2),
                  circuitEvaluations: rounds.reduce(0) { $0 + $1.evaluations }, bestParameters: bestParameters,
                  history: rounds)
    }
}
