import PilotQuantum

extension HardwareEfficientAnsatz {
    /// Names of the `input float[64]` parameters of `parameterizedQASM3()`, in `parameters` order.
    public var parameterNames: [String] { (0..<parameterCount).map { "theta_\($0)" } }

    /// The ansatz with symbolic angles, for jobs that bind many parameter vectors to one circuit.
    /// Gate for gate the circuit `circuit(parameters:)` builds.
    public func parameterizedQASM3() -> String {
        let names = parameterNames
        var out = "OPENQASM 3.0;\ninclude \"stdgates.inc\";\n"
        for name in names { out += "input float[64] \(name);\n" }
        out += "qubit[\(qubits)] q;\n"
        for layer in 0...layers {
            for q in 0..<qubits {
                let k = 2 * (layer * qubits + q)
                out += "ry(\(names[k])) q[\(q)];\nrz(\(names[k + 1])) q[\(q)];\n"
            }
            if layer < layers {
                for q in 0..<(qubits - 1) { out += "cx q[\(q)], q[\(q + 1)];\n" }
            }
        }
        return out
    }
}
