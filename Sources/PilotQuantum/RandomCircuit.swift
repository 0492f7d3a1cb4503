import Foundation

/// Seeded random circuits for mini-apps and benchmarks: each layer applies a random rotation
/// (rx, ry or rz with an angle in [0, 2π)) to every qubit, then CX on ⌊n/2⌋ disjoint random pairs.
public enum RandomCircuit {
    public static func make(qubits: Int, depth: Int, seed: UInt64) -> QuantumCircuit {
        var rng = SeededGenerator(seed: seed)
        let n = max(1, qubits)
        var circuit = QuantumCircuit(qubits: n)
        let rotations: [GateKind] = [.rx, .ry, .rz]
        for _ in 0..<max(0, depth) {
            for q in 0..<n {
                circuit.append(rotations[rng.nextInt(below: 3)], [q], [rng.nextDouble() * 2 * Double.pi])
            }
            var order = Array(0..<n)
            for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, rng.nextInt(below: i + 1)) }
            for pair in 0..<(n / 2) {
                circuit.append(.cx, [order[2 * pair], order[2 * pair + 1]])
            }
        }
        return circuit
    }
}
