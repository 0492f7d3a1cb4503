/// Building blocks for a state vector distributed over 2^G ranks: rank r holds the 2^L
/// amplitudes with global index r·2^L ..< (r+1)·2^L, so qubits 0..<L are local and qubit L+k is
/// bit k of the rank number ("global" qubits).
///
/// Gates on local qubits run on the slice with the ordinary kernels. A global qubit can be used
/// without communication when it is a control or the gate is diagonal in it (its value is fixed
/// per rank). Anything else needs the global qubit swapped with a local one first:
/// `exchange(rank:globalQubit:localQubit:localQubits:)` says which partner and which half of the
/// slice; after every pair of ranks has swapped those halves, the two qubits have traded places
/// in the index layout (the caller tracks that relabelling).
public enum DistributedStateVector {
    public static func apply(_ gate: QuantumGate, to slice: inout [ComplexAmplitude], localQubits: Int, rank: Int,
                             threads: Int = 1) throws(QuantumError) {
        guard slice.count == 1 << localQubits else {
            throw QuantumError(.invalidArgument, "slice has \(slice.count) amplitudes, expected 2^\(localQubits)")
        }
        guard gate.qubits.count == gate.kind.qubitCount, gate.parameters.count == gate.kind.parameterCount,
              gate.qubits.allSatisfy({ $0 >= 0 }) else {
            throw QuantumError(.invalidArgument, "malformed gate \(gate.kind.rawValue) on \(gate.qubits)")
        }
        let op = gate.kind.qubitCount == 1
            ? KernelOperation.matrix1(target: gate.qubits[0], controlMask: 0,
                                      matrix: GateMatrices.single(gate.kind, gate.parameters) ?? .identity)
            : CircuitLowering.lowerMultiQubit(gate)
        guard let local = try localize(op, localQubits: localQubits, rank: rank, gate: gate) else { return }
        let loop = ParallelLoop(threads: localQubits >= StateVectorSimulator.parallelQubitThreshold ? threads : 1)
        slice.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: Double.self, capacity: 2 * buffer.count) { p in
                StateVectorKernels.apply(local, to: p, qubits: localQubits, loop: loop)
            }
        }
    }

    /// Rewrites an operation so it only names local qubits, or nil when it does nothing on this rank.
    static func localize(_ op: KernelOperation, localQubits: Int, rank: Int,
                         gate: QuantumGate) throws(QuantumError) -> KernelOperation? {
        let localMask = (1 << localQubits) - 1
        func bit(_ q: Int) -> Int { (rank >> (q - localQubits)) & 1 }
        /// Global bits of `mask` all 1 on this rank?
        func globalsSet(_ mask: Int) -> Bool {
            KernelOperation.bits(mask & ~localMask).allSatisfy { bit($0) == 1 }
        }
        func needsExchange(_ q: Int) -> QuantumError {
            QuantumError(.invalidArgument,
                         "gate '\(gate.kind.rawValue)' acts non-diagonally on global qubit \(q); swap it with a local qubit first (DistributedStateVector.exchange)")
        }
        switch op {
        case .matrix1(let target, let mask, let m):
            // Structural checks come before rank-dependent early exits so every rank agrees.
            if target >= localQubits && !m.isDiagonal { throw needsExchange(target) }
            guard globalsSet(mask) else { return nil }
            let controls = mask & localMask
            if target < localQubits { return .matrix1(target: target, controlMask: controls, matrix: m) }
            return .phase(mask: controls, value: bit(target) == 1 ? m.d : m.a)
        case .phase(let mask, let value):
            guard globalsSet(mask) else { return nil }
            return .phase(mask: mask & localMask, value: value)
        case .diagonal(let qubits, let values):
            let localPositions = qubits.indices.filter { qubits[$0] < localQubits }
            var fixed = 0
            for (j, q) in qubits.enumerated() where q >= localQubits { fixed |= bit(q) << j }
            var reduced: [ComplexAmplitude] = []
            for sub in 0..<(1 << localPositions.count) {
                var index = fixed
                for (k, j) in localPositions.enumerated() { index |= ((sub >> k) & 1) << j }
                reduced.append(values[index])
            }
            if localPositions.isEmpty { return .phase(mask: 0, value: reduced[0]) }
            return .diagonal(qubits: localPositions.map { qubits[$0] }, values: reduced)
        case .swap(let a, let b, let mask):
            if a >= localQubits { throw needsExchange(a) }
            if b >= localQubits { throw needsExchange(b) }
            guard globalsSet(mask) else { return nil }
            return .swap(a: a, b: b, controlMask: mask & localMask)
        case .dense(let qubits, let matrix):
            if let q = qubits.first(where: { $0 >= localQubits }) { throw needsExchange(q) }
            return .dense(qubits: qubits, matrix: matrix)
        }
    }

    /// The pairing for swapping global qubit `globalQubit` (≥ localQubits) with local qubit
    /// `localQubit`: ranks r and r ^ 2^(globalQubit − L) pair up; the rank whose bit is 0 sends
    /// its half with local qubit = 1, the other sends its half with local qubit = 0, and each
    /// overwrites the half it sent with what it received.
    public static func exchange(rank: Int, globalQubit: Int, localQubit: Int, localQubits: Int) -> GlobalQubitExchange {
        let rankBit = (rank >> (globalQubit - localQubits)) & 1
        return GlobalQubitExchange(partner: rank ^ (1 << (globalQubit - localQubits)), half: 1 - rankBit,
                                   count: 1 << (localQubits - 1))
    }

    /// Amplitudes of `slice` whose `localQubit` equals `value`, in index order (the send buffer).
    public static func extractHalf(_ slice: [ComplexAmplitude], localQubit: Int, value: Int) -> [ComplexAmplitude] {
        var result: [ComplexAmplitude] = []
        result.reserveCapacity(slice.count / 2)
        for i in slice.indices where (i >> localQubit) & 1 == value { result.append(slice[i]) }
        return result
    }

    /// Writes a received half back into the positions `extractHalf` read.
    public static func insertHalf(_ half: [ComplexAmplitude], into slice: inout [ComplexAmplitude], localQubit: Int,
                                  value: Int) {
        var k = 0
        for i in slice.indices where (i >> localQubit) & 1 == value && k < half.count {
            slice[i] = half[k]
            k += 1
        }
    }
}
