/// Draws one quantum trajectory of a `NoiseModel`: the circuit with random Paulis inserted after
/// noisy gates. Averaging over trajectories reproduces the depolarizing channels.
enum NoiseInsertion {
    private static let paulis: [GateKind] = [.id, .x, .y, .z]

    static func trajectory(_ circuit: QuantumCircuit, noise: NoiseModel,
                           rng: inout SeededGenerator) -> (QuantumCircuit, inserted: Int) {
        var result = circuit
        result.operations = []
        result.operations.reserveCapacity(circuit.operations.count)
        var inserted = 0
        for op in circuit.operations {
            result.operations.append(op)
            guard case .gate(let g) = op else { continue }
            switch g.qubits.count {
            case 1:
                if rng.nextDouble() < noise.depolarizing1q {
                    result.append(paulis[1 + rng.nextInt(below: 3)], g.qubits)
                    inserted += 1
                }
            case 2:
                if rng.nextDouble() < noise.depolarizing2q {
                    let k = 1 + rng.nextInt(below: 15)
                    if k & 3 != 0 { result.append(paulis[k & 3], [g.qubits[0]]) }
                    if k >> 2 != 0 { result.append(paulis[k >> 2], [g.qubits[1]]) }
                    inserted += 1
                }
            default:
                for q in g.qubits where rng.nextDouble() < noise.depolarizing2q {
                    result.append(paulis[1 + rng.nextInt(below: 3)], [q])
                    inserted += 1
                }
            }
        }
        return (result, inserted)
    }
}
