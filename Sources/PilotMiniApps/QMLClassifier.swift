import PilotQuantum

/// A variational classifier: features angle-encoded with ry (feature q mod 2 on qubit q), the
/// hardware-efficient ansatz, and the output f(x) = mean_q ⟨Z_q⟩ ∈ [−1, 1], predicting sign(f).
/// f is an expectation value (of the average of Z's), so the parameter-shift rule applies to it.
public struct QMLClassifier: Sendable, Hashable {
    public let ansatz: HardwareEfficientAnsatz
    public let encodingScale: Double

    public init(qubits: Int, layers: Int, encodingScale: Double) throws(MiniAppError) {
        ansatz = try HardwareEfficientAnsatz(qubits: qubits, layers: layers)
        self.encodingScale = encodingScale
    }

    public var parameterCount: Int { ansatz.parameterCount }

    /// Z on each qubit, in qubit order.
    public var observables: [String] {
        (0..<ansatz.qubits).map { q in
            var ops = [PauliString.Operator](repeating: .i, count: ansatz.qubits)
            ops[q] = .z
            return PauliString(operators: ops).label
        }
    }

    public func circuit(features: [Double], parameters: [Double]) -> QuantumCircuit {
        var c = QuantumCircuit(qubits: ansatz.qubits)
        for q in 0..<ansatz.qubits { c.append(.ry, [q], [encodingScale * features[q % features.count]]) }
        ansatz.append(to: &c, parameters: parameters)
        return c
    }

    /// f from a result carrying the `observables` expectations.
    public func output(_ result: QuantumResult) throws(MiniAppError) -> Double {
        guard result.expectations.count == ansatz.qubits else {
            throw MiniAppError(.badResult, "a result has \(result.expectations.count) expectation values, expected \(ansatz.qubits)")
        }
        return result.expectations.reduce(0) { $0 + $1.value } / Double(ansatz.qubits)
    }
}
