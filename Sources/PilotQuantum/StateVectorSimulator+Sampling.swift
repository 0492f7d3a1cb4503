import Foundation

extension StateVectorSimulator {
    /// Measurement counts keyed by bitstrings in Qiskit order (clbit 0 rightmost, registers
    /// concatenated without spaces). Circuits without any measurement are measured on all qubits.
    /// Mid-circuit measurement and reset are simulated shot by shot. Same seed → same counts,
    /// whatever `threads` is.
    public func sample(_ circuit: QuantumCircuit, shots: Int, seed: UInt64,
                       noise: NoiseModel = .ideal) throws(QuantumError) -> [String: Int] {
        try sampleCounts(circuit, shots: shots, seed: seed, noise: noise).counts
    }

    /// Counts plus the number of noise trajectories used (nil without gate noise).
    public func sampleCounts(_ circuit: QuantumCircuit, shots: Int, seed: UInt64,
                             noise: NoiseModel = .ideal) throws(QuantumError) -> (counts: [String: Int], trajectories: Int?) {
        guard shots >= 0 else { throw QuantumError(.invalidArgument, "shots must be non-negative, got \(shots)") }
        try noise.validate()
        var measured = circuit
        if !circuit.operations.contains(where: { if case .measure = $0 { return true } else { return false } }) {
            measured = QuantumCircuit(qubits: circuit.qubitCount, clbits: circuit.qubitCount)
            measured.operations = circuit.operations
            for q in 0..<circuit.qubitCount { measured.measure(q, q) }
        }
        guard measured.clbitCount <= 64 else {
            throw QuantumError(.simulatorLimit, "sampling supports at most 64 classical bits, the circuit has \(measured.clbitCount)")
        }
        try checkSize(measured)
        let result = try sampleWords(measured, shots: shots, seed: seed, noise: noise)
        var counts: [String: Int] = [:]
        for (word, count) in result.words {
            counts[Self.bitstring(word, width: measured.clbitCount), default: 0] += count
        }
        return (counts, result.trajectories)
    }

    static func bitstring(_ word: UInt64, width: Int) -> String {
        var chars = [Character](repeating: "0", count: width)
        for bit in 0..<width where (word >> UInt64(bit)) & 1 == 1 { chars[width - 1 - bit] = "1" }
        return String(chars)
    }

    /// Outcome words (bit c = clbit c) with counts, noise included.
    func sampleWords(_ circuit: QuantumCircuit, shots: Int, seed: UInt64,
                     noise: NoiseModel) throws(QuantumError) -> (words: [UInt64: Int], trajectories: Int?) {
        let measuredClbits = MeasurementAnalysis(circuit).clbitSource.keys.sorted()
        var words: [UInt64: Int] = [:]
        var trajectoryCount: Int?
        if shots == 0 { return ([:], nil) }
        if noise.hasGateNoise {
            let trajectories = min(shots, noise.trajectories)
            trajectoryCount = trajectories
            var idealState: StateBuffer?
            for t in 0..<trajectories {
                var rng = SeededGenerator(seed: seed, stream: UInt64(t) + 1)
                let share = shots / trajectories + (t < shots % trajectories ? 1 : 0)
                let (noisy, inserted) = NoiseInsertion.trajectory(circuit, noise: noise, rng: &rng)
                let part: [UInt64: Int]
                if inserted == 0, MeasurementAnalysis(circuit).isTerminal {
                    if idealState == nil { idealState = try prepareState(circuit) }
                    part = sampleTerminal(idealState!, clbitSource: MeasurementAnalysis(circuit).clbitSource,
                                          shots: share, rng: &rng)
                } else {
                    part = try sampleIdeal(noisy, shots: share, rng: &rng)
                }
                for (w, c) in part { words[w, default: 0] += c }
            }
        } else {
            var rng = SeededGenerator(seed: seed)
            words = try sampleIdeal(circuit, shots: shots, rng: &rng)
        }
        if noise.readout > 0 {
            var rng = SeededGenerator(seed: seed, stream: UInt64.max)
            words = Self.applyReadoutError(words, clbits: measuredClbits, probability: noise.readout, rng: &rng)
        }
        return (words, trajectoryCount)
    }

    /// Flips each measured bit of each shot independently with `probability`. Iterates outcomes in
    /// sorted order because dictionary order differs between runs.
    static func applyReadoutError(_ words: [UInt64: Int], clbits: [Int], probability: Double,
                                  rng: inout SeededGenerator) -> [UInt64: Int] {
        var result: [UInt64: Int] = [:]
        for word in words.keys.sorted() {
            for _ in 0..<(words[word] ?? 0) {
                var w = word
                for c in clbits where rng.nextDouble() < probability { w ^= 1 << UInt64(c) }
                result[w, default: 0] += 1
            }
        }
        return result
    }

    func sampleIdeal(_ circuit: QuantumCircuit, shots: Int, rng: inout SeededGenerator) throws(QuantumError) -> [UInt64: Int] {
        let analysis = MeasurementAnalysis(circuit)
        if analysis.isTerminal {
            let state = try prepareState(circuit)
            return sampleTerminal(state, clbitSource: analysis.clbitSource, shots: shots, rng: &rng)
        }
        return sampleShotByShot(circuit, shots: shots, rng: &rng)
    }

    /// Draws `shots` basis states from |ψ|² by sorting uniforms and sweeping the cumulative sum
    /// once: O(2^n + shots·log shots) and no cumulative array.
    func sampleTerminal(_ state: StateBuffer, clbitSource: [Int: Int], shots: Int,
                        rng: inout SeededGenerator) -> [UInt64: Int] {
        let p = state.storage
        var total = 0.0
        for j in 0..<(2 * state.amplitudeCount) { total += p[j] * p[j] }
        var uniforms = (0..<shots).map { _ in rng.nextDouble() * total }
        uniforms.sort()
        var indexCounts: [Int: Int] = [:]
        var cumulative = 0.0
        var index = 0
        let last = state.amplitudeCount - 1
        for u in uniforms {
            while index < last {
                let weight = p[2 * index] * p[2 * index] + p[2 * index + 1] * p[2 * index + 1]
                if u < cumulative + weight { break }
                cumulative += weight
                index += 1
            }
            // Rounding can leave u past the total; never report a zero-probability state then.
            var chosen = index
            while chosen > 0, p[2 * chosen] == 0, p[2 * chosen + 1] == 0 { chosen -= 1 }
            indexCounts[chosen, default: 0] += 1
        }
        let mapping = clbitSource.sorted { $0.key < $1.key }
        var words: [UInt64: Int] = [:]
        for (i, count) in indexCounts {
            var w: UInt64 = 0
            for (c, q) in mapping where (i >> q) & 1 == 1 { w |= 1 << UInt64(c) }
            words[w, default: 0] += count
        }
        return words
    }

    private enum Step {
        case unitary([KernelOperation])
        case measure(qubit: Int, clbit: Int)
        case reset(qubit: Int)
    }

    /// Per-shot simulation with projective measurement. The unitary prefix before the first
    /// measurement or reset is simulated once and copied for every shot.
    func sampleShotByShot(_ circuit: QuantumCircuit, shots: Int, rng: inout SeededGenerator) -> [UInt64: Int] {
        var steps: [Step] = []
        var pendingGates: [QuantumGate] = []
        func flushGates() {
            if !pendingGates.isEmpty { steps.append(.unitary(CircuitLowering.lower(pendingGates, fuse: fusion))) }
            pendingGates = []
        }
        for op in circuit.operations {
            switch op {
            case .gate(let g): pendingGates.append(g)
            case .measure(let q, let c):
                flushGates()
                steps.append(.measure(qubit: q, clbit: c))
            case .reset(let q):
                flushGates()
                steps.append(.reset(qubit: q))
            case .barrier: break
            }
        }
        flushGates()
        let loop = loop(for: circuit.qubitCount)
        let prefix = StateBuffer(qubits: circuit.qubitCount)
        var rest = steps[...]
        if case .unitary(let ops)? = rest.first {
            prefix.apply(ops, loop: loop)
            rest = rest.dropFirst()
        }
        let state = StateBuffer(copying: prefix)
        var words: [UInt64: Int] = [:]
        let cancellation = SimulationCancellation.current
        for _ in 0..<shots {
            if cancellation?.isCancelled == true { break }
            state.copy(from: prefix)
            var word: UInt64 = 0
            for step in rest {
                switch step {
                case .unitary(let ops):
                    state.apply(ops, loop: loop)
                case .measure(let q, let c):
                    let p1 = state.probabilityOfOne(q)
                    let one = rng.nextDouble() < p1
                    state.collapse(q, to: one, probability: one ? p1 : 1 - p1, loop: loop)
                    if one { word |= 1 << UInt64(c) } else { word &= ~(1 << UInt64(c)) }
                case .reset(let q):
                    let p1 = state.probabilityOfOne(q)
                    let one = rng.nextDouble() < p1
                    state.collapse(q, to: one, probability: one ? p1 : 1 - p1, loop: loop)
                    if one {
                        StateVectorKernels.apply(.matrix1(target: q, controlMask: 0, matrix: Matrix2(.zero, .one, .one, .zero)),
                                                 to: state.storage, qubits: state.qubitCount, loop: loop)
                    }
                }
            }
            words[word, default: 0] += 1
        }
        return words
    }
}
