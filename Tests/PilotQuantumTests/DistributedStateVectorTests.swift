import Testing
@testable import PilotQuantum

/// Simulates 4 ranks in one process and checks the distributed result against the plain
/// simulator.
@Suite struct DistributedStateVectorTests {
    static let local = 3
    static let global = 2

    static func split(_ state: [ComplexAmplitude]) -> [[ComplexAmplitude]] {
        (0..<(1 << global)).map { r in Array(state[(r << local)..<((r + 1) << local)]) }
    }

    /// Swaps global qubit g with local qubit l on every rank pair.
    static func exchange(_ slices: inout [[ComplexAmplitude]], global g: Int, local l: Int) {
        let before = slices
        for r in slices.indices {
            let ex = DistributedStateVector.exchange(rank: r, globalQubit: g, localQubit: l, localQubits: local)
            let partner = DistributedStateVector.exchange(rank: ex.partner, globalQubit: g, localQubit: l, localQubits: local)
            let received = DistributedStateVector.extractHalf(before[ex.partner], localQubit: l, value: partner.half)
            #expect(received.count == ex.count)
            DistributedStateVector.insertHalf(received, into: &slices[r], localQubit: l, value: ex.half)
        }
    }

    @Test func distributedRunMatchesFullSimulation() throws {
        let n = Self.local + Self.global
        let circuit = RandomCircuit.make(qubits: n, depth: 4, seed: 12)
        var slices = Self.split([ComplexAmplitude](repeating: .zero, count: 1 << n))
        slices[0][0] = .one
        var extra = circuit
        extra.append(.cp, [4, 1], [0.7])      // global control, local target
        extra.append(.rzz, [3, 0], [0.4])     // diagonal across global and local
        extra.append(.crz, [0, 4], [1.1])     // diagonal on a global target
        for op in extra.operations {
            guard case .gate(let gate) = op else { continue }
            let globals = gate.qubits.filter { $0 >= Self.local }
            do {
                for r in slices.indices {
                    try DistributedStateVector.apply(gate, to: &slices[r], localQubits: Self.local, rank: r)
                }
            } catch {
                // Bring each global qubit in through a local qubit the gate does not use, apply, swap back.
                let free = (0..<Self.local).filter { !gate.qubits.contains($0) }
                let pairs = Array(zip(globals, free))
                for (g, l) in pairs { Self.exchange(&slices, global: g, local: l) }
                let moved = QuantumGate(gate.kind, gate.qubits.map { q in pairs.first { $0.0 == q }?.1 ?? q },
                                        gate.parameters)
                for r in slices.indices {
                    try DistributedStateVector.apply(moved, to: &slices[r], localQubits: Self.local, rank: r)
                }
                for (g, l) in pairs.reversed() { Self.exchange(&slices, global: g, local: l) }
            }
        }
        let reference = try StateVectorSimulator().statevector(extra)
        let distributed = slices.flatMap { $0 }
        let worst = zip(reference, distributed).map { ($0 - $1).magnitude }.max() ?? 1
        #expect(worst < 1e-12)
    }

    @Test func nonDiagonalGlobalGateAsksForExchange() {
        var slice = [ComplexAmplitude](repeating: .zero, count: 8)
        slice[0] = .one
        #expect(throws: QuantumError.self) {
            try DistributedStateVector.apply(QuantumGate(.h, [3]), to: &slice, localQubits: 3, rank: 0)
        }
        let ex = DistributedStateVector.exchange(rank: 2, globalQubit: 4, localQubit: 0, localQubits: 3)
        #expect(ex == GlobalQubitExchange(partner: 0, half: 0, count: 4))
    }
}
