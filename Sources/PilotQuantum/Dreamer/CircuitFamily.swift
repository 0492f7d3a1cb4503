import Foundation

/// Named, seeded circuit shapes for calibrating and checking the performance model: the
/// benchmark calibrates on some families and widths and checks on others it has not seen.
public enum CircuitFamily: String, Sendable, CaseIterable, Codable {
    /// `RandomCircuit`: random rotations, then CX on random disjoint pairs, per layer.
    case random
    /// H on every qubit, then per layer a CZ ladder along the line and an RY on every qubit.
    case ladder
    /// QAOA-like: H, then per layer RZZ along the line and RX on every qubit.
    case qaoa
    /// GHZ preparation along the line followed by RZ and RY rotations per layer.
    case ghz

    public func make(qubits n: Int, layers: Int, seed: UInt64) -> QuantumCircuit {
        var rng = SeededGenerator(seed: seed)
        func angle() -> Double { rng.nextDouble() * 2 * Double.pi }
        switch self {
        case .random:
            return RandomCircuit.make(qubits: n, depth: layers, seed: seed)
        case .ladder:
            var c = QuantumCircuit(qubits: n)
            for q in 0..<n { c.append(.h, [q]) }
            for _ in 0..<layers {
                for q in 0..<(n - 1) { c.append(.cz, [q, q + 1]) }
                for q in 0..<n { c.append(.ry, [q], [angle()]) }
            }
            return c
        case .qaoa:
            var c = QuantumCircuit(qubits: n)
            for q in 0..<n { c.append(.h, [q]) }
            for _ in 0..<layers {
                let gamma = angle()
                for q in 0..<(n - 1) { c.append(.rzz, [q, q + 1], [gamma]) }
                let beta = angle()
                for q in 0..<n { c.append(.rx, [q], [beta]) }
            }
            return c
        case .ghz:
            var c = QuantumCircuit(qubits: n)
            c.append(.h, [0])
            for q in 0..<(n - 1) { c.append(.cx, [q, q + 1]) }
            for _ in 0..<layers {
                for q in 0..<n { c.append(.rz, [q], [angle()]) }
                for q in 0..<n { c.append(.ry, [q], [angle()]) }
            }
            return c
        }
    }
}
