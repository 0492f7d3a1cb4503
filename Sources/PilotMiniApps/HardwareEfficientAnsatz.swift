import PilotQuantum

/// Layers of ry·rz on every qubit separated by a CX chain (0→1→…→n−1), ending with a rotation
/// layer: every parameter sits in exactly one Pauli rotation, so the parameter-shift rule with
/// shift π/2 gives exact gradients.
public struct HardwareEfficientAnsatz: Sendable, Hashable, Codable {
    public var qubits: Int
    /// Entangling layers; there are `layers + 1` rotation layers.
    public var layers: Int

    public init(qubits: Int, layers: Int) throws(MiniAppError) {
        guard (1...24).contains(qubits) else {
            throw MiniAppError(.invalidParameter, "qubits must be 1...24, got \(qubits)", field: "qubits")
        }
        guard (0...50).contains(layers) else {
            throw MiniAppError(.invalidParameter, "layers must be 0...50, got \(layers)", field: "layers")
        }
        self.qubits = qubits
        self.layers = layers
    }

    public var parameterCount: Int { Self.parameterCountFor(qubits: qubits, layers: layers) }

    public static func parameterCountFor(qubits: Int, layers: Int) -> Int { 2 * qubits * (layers + 1) }

    /// Appends the ansatz to `circuit` (which may already hold a data-encoding prefix).
    public func append(to circuit: inout QuantumCircuit, parameters: [Double]) {
        for layer in 0...layers {
            for q in 0..<qubits {
                let k = 2 * (layer * qubits + q)
                circuit.append(.ry, [q], [parameters[k]])
                circuit.append(.rz, [q], [parameters[k + 1]])
            }
            if layer < layers {
                for q in 0..<(qubits - 1) { circuit.append(.cx, [q, q + 1]) }
            }
        }
    }

    public func circuit(parameters: [Double]) -> QuantumCircuit {
        var c = QuantumCircuit(qubits: qubits)
        append(to: &c, parameters: parameters)
        return c
    }
}
