import Foundation

/// Dense state-vector simulator. Gates run through specialised kernels (see
/// `StateVectorKernels`); for 16 qubits and more the amplitude index space is split across
/// `threads` workers. Results, including sampled counts, do not depend on the thread count.
public struct StateVectorSimulator: Sendable {
    public var threads: Int
    /// Largest register simulated; 2^30 amplitudes already take 16 GiB.
    public var maxQubits: Int
    /// Fuse gates before simulation (see `CircuitLowering`).
    public var fusion: Bool
    /// Run low-qubit gates block by block (see `ExecutionSchedule`); off only to cross-check.
    var cacheBlocking = true

    public init(threads: Int = 1, maxQubits: Int = 30, fusion: Bool = true) {
        self.threads = max(1, threads)
        self.maxQubits = maxQubits
        self.fusion = fusion
    }

    static let parallelQubitThreshold = 16

    func loop(for qubits: Int) -> ParallelLoop {
        ParallelLoop(threads: qubits >= Self.parallelQubitThreshold ? threads : 1)
    }

    func checkSize(_ circuit: QuantumCircuit) throws(QuantumError) {
        try circuit.validate()
        guard circuit.qubitCount >= 1 else { throw QuantumError(.invalidCircuit, "circuit has no qubits") }
        guard circuit.qubitCount <= maxQubits else {
            throw QuantumError(.simulatorLimit,
                               "circuit has \(circuit.qubitCount) qubits; the state-vector simulator is limited to \(maxQubits)")
        }
    }

    /// State after all gates of `circuit`; measurements and resets must not be followed by gates on
    /// the same qubit (a leading reset on a fresh qubit is fine).
    func prepareState(_ circuit: QuantumCircuit) throws(QuantumError) -> StateBuffer {
        try checkSize(circuit)
        let analysis = MeasurementAnalysis(circuit)
        guard analysis.isTerminal else {
            throw QuantumError(.invalidCircuit,
                               "the circuit measures or resets a qubit and then keeps using it; a single final state is not defined (use sample instead)")
        }
        let state = StateBuffer(qubits: circuit.qubitCount)
        state.apply(CircuitLowering.lower(analysis.gates, fuse: fusion), loop: loop(for: circuit.qubitCount),
                    blocking: cacheBlocking)
        if circuit.globalPhase != 0 {
            // A phase kernel with an empty mask multiplies every amplitude.
            StateVectorKernels.apply(.phase(mask: 0, value: .phase(circuit.globalPhase)), to: state.storage,
                                     qubits: circuit.qubitCount, loop: loop(for: circuit.qubitCount))
        }
        return state
    }

    public func statevector(_ circuit: QuantumCircuit) throws(QuantumError) -> [ComplexAmplitude] {
        try prepareState(circuit).amplitudes
    }

    public func probabilities(_ circuit: QuantumCircuit) throws(QuantumError) -> [Double] {
        try prepareState(circuit).probabilities
    }

    /// Exact ⟨ψ|P|ψ⟩ of the circuit's final state.
    public func expectation(_ pauli: PauliString, circuit: QuantumCircuit) throws(QuantumError) -> Double {
        let state = try prepareState(circuit)
        return Self.expectation(try pauli.resized(to: circuit.qubitCount), state: state)
    }

    /// Exact ⟨ψ|P|ψ⟩ for a statevector of 2^n amplitudes. NaN when `state` is not a power-of-two
    /// length or P acts on a qubit ≥ n (use `expectation(_:circuit:)` for a throwing check).
    public func expectation(_ pauli: PauliString, state: [ComplexAmplitude]) -> Double {
        let count = state.count
        guard count > 0, count & (count - 1) == 0,
              pauli.support.allSatisfy({ (1 << $0) < count }) else { return .nan }
        return state.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: Double.self, capacity: 2 * buffer.count) { p in
                Self.expectation(pauli, amplitudes: p, count: buffer.count)
            }
        }
    }

    static func expectation(_ pauli: PauliString, state: StateBuffer) -> Double {
        expectation(pauli, amplitudes: state.storage, count: state.amplitudeCount)
    }

    /// Σ_j conj(ψ_j)·c(j⊕x)·ψ_{j⊕x} where P|i⟩ = c(i)|i⊕x⟩, c(i) = i^{#Y}·(−1)^{popcount(i & signMask)}.
    static func expectation(_ pauli: PauliString, amplitudes p: UnsafePointer<Double>, count: Int) -> Double {
        let flip = pauli.flipMask
        let sign = pauli.signMask
        // Real part of i^{#Y}: only #Y mod 4 matters; odd #Y makes the expectation use the imaginary part.
        let ys = pauli.yCount % 4
        var total = 0.0
        for j in 0..<count {
            let k = j ^ flip
            let ar = p[2 * j], ai = p[2 * j + 1]
            let br = p[2 * k], bi = p[2 * k + 1]
            // conj(a)·b
            let re = ar * br + ai * bi
            let im = ar * bi - ai * br
            let s: Double = (k & sign).nonzeroBitCount & 1 == 0 ? 1 : -1
            switch ys {
            case 0: total += s * re
            case 1: total -= s * im
            case 2: total -= s * re
            default: total += s * im
            }
        }
        return total
    }
}
