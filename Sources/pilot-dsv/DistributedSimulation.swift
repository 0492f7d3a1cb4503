import PilotQuantum

/// One circuit simulated with its state vector split over 2^G MPI ranks (`DistributedStateVector`
/// layout: qubits below L = n − G are local, the top G select the rank). Gates that act
/// non-diagonally on a global qubit first swap it with a local one by a pairwise MPI_Sendrecv of
/// half the slice; the qubit layout is then tracked instead of being swapped back, so a run of
/// gates on the same high qubit pays for one exchange, not one per gate.
struct DistributedSimulation {
    let world: MPIWorld
    let qubits: Int
    let localQubits: Int
    var slice: [ComplexAmplitude]
    /// Physical position of each logical qubit, and the inverse.
    var position: [Int]
    var logical: [Int]
    var exchanges = 0
    var bytesSent = 0

    init(world: MPIWorld, qubits: Int) throws(DSVError) {
        guard world.size > 0, world.size & (world.size - 1) == 0 else {
            throw DSVError(.usage, "the number of ranks must be a power of two, got \(world.size)")
        }
        let global = world.size.trailingZeroBitCount
        guard qubits - global >= 3 else {
            throw DSVError(.usage, "\(qubits) qubits over \(world.size) ranks leaves \(qubits - global) local qubits; at least 3 are needed")
        }
        self.world = world
        self.qubits = qubits
        localQubits = qubits - global
        slice = [ComplexAmplitude](repeating: .zero, count: 1 << localQubits)
        if world.rank == 0 { slice[0] = .one }
        position = Array(0..<qubits)
        logical = Array(0..<qubits)
    }

    /// Logical qubits of `gate` that must be local: none for diagonal gates, the targets for
    /// controlled gates (a global control just selects ranks), every qubit otherwise.
    static func qubitsNeedingLocality(_ gate: QuantumGate) -> [Int] {
        switch gate.kind {
        case .id, .z, .s, .sdg, .t, .tdg, .rz, .p, .u1, .cz, .crz, .cp, .cu1, .rzz:
            return []
        case .cx, .cy, .ch, .csx, .crx, .cry, .cu3, .cu, .ccx, .cswap:
            return Array(gate.qubits[gate.kind.controlCount...])
        default:
            return gate.qubits
        }
    }

    mutating func apply(_ gate: QuantumGate) throws(DSVError) {
        for q in Self.qubitsNeedingLocality(gate) where position[q] >= localQubits {
            try bringLocal(q, keeping: gate.qubits)
        }
        do {
            try DistributedStateVector.apply(remapped(gate), to: &slice, localQubits: localQubits, rank: world.rank)
        } catch {
            // The kernel lowering wanted more qubits local than the table above (every rank
            // reaches this same structural error, so they stay in step): make them all local.
            for q in gate.qubits where position[q] >= localQubits { try bringLocal(q, keeping: gate.qubits) }
            do {
                try DistributedStateVector.apply(remapped(gate), to: &slice, localQubits: localQubits, rank: world.rank)
            } catch {
                throw DSVError(.simulation, "gate \(gate.kind.rawValue) on \(gate.qubits): \(error.message)", cause: error)
            }
        }
    }

    private func remapped(_ gate: QuantumGate) -> QuantumGate {
        var g = gate
        g.qubits = gate.qubits.map { position[$0] }
        return g
    }

    /// Swaps logical qubit `q` (now global) with a local position not used by the current gate.
    private mutating func bringLocal(_ q: Int, keeping gateQubits: [Int]) throws(DSVError) {
        let busy = Set(gateQubits.map { position[$0] })
        guard let target = stride(from: localQubits - 1, through: 0, by: -1).first(where: { !busy.contains($0) }) else {
            throw DSVError(.simulation, "no free local qubit to exchange with")
        }
        let globalPosition = position[q]
        let plan = DistributedStateVector.exchange(rank: world.rank, globalQubit: globalPosition, localQubit: target,
                                                   localQubits: localQubits)
        let outgoing = DistributedStateVector.extractHalf(slice, localQubit: target, value: plan.half)
        let incoming = try world.exchange(outgoing, with: plan.partner)
        DistributedStateVector.insertHalf(incoming, into: &slice, localQubit: target, value: plan.half)
        exchanges += 1
        bytesSent += outgoing.count * MemoryLayout<ComplexAmplitude>.stride
        let displaced = logical[target]
        logical[target] = q
        logical[globalPosition] = displaced
        position[q] = target
        position[displaced] = globalPosition
    }

    /// The gathered state (rank order = physical order) rewritten in logical qubit order.
    func logicalOrder(_ physical: [ComplexAmplitude]) -> [ComplexAmplitude] {
        var out = [ComplexAmplitude](repeating: .zero, count: physical.count)
        for i in physical.indices {
            var j = 0
            for p in 0..<qubits where (i >> p) & 1 == 1 { j |= 1 << logical[p] }
            out[j] = physical[i]
        }
        return out
    }
}
