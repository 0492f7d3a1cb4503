extension QuantumOperation {
    /// The two qubits of a two-qubit gate (the only operations routing must bring together).
    var twoQubitOperands: (Int, Int)? {
        if case .gate(let g) = self, g.qubits.count == 2 { return (g.qubits[0], g.qubits[1]) }
        return nil
    }

    func mapQubits(_ map: (Int) -> Int) -> QuantumOperation {
        switch self {
        case .gate(let g): return .gate(QuantumGate(g.kind, g.qubits.map(map), g.parameters))
        case .measure(let q, let c): return .measure(qubit: map(q), clbit: c)
        case .reset(let q): return .reset(qubit: map(q))
        case .barrier(let qs): return .barrier(qubits: qs.map(map))
        }
    }
}
