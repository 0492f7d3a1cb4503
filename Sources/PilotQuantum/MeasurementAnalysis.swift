/// Classifies a circuit's measurements: when every measured or reset qubit is left alone
/// afterwards, one state preparation serves all shots; otherwise shots are simulated one by one.
struct MeasurementAnalysis {
    var isTerminal = true
    /// Gates in order (barriers dropped); only meaningful when `isTerminal`.
    var gates: [QuantumGate] = []
    /// Final qubit feeding each written clbit (later measurements into a clbit win).
    var clbitSource: [Int: Int] = [:]

    init(_ circuit: QuantumCircuit) {
        var finished = Set<Int>()
        var touched = Set<Int>()
        for op in circuit.operations {
            switch op {
            case .gate(let g):
                if g.qubits.contains(where: finished.contains) { isTerminal = false }
                touched.formUnion(g.qubits)
                gates.append(g)
            case .measure(let q, let c):
                finished.insert(q)
                clbitSource[c] = q
            case .reset(let q):
                // A reset of a qubit nothing has touched yet is a no-op on |0⟩.
                if touched.contains(q) || finished.contains(q) { isTerminal = false }
            case .barrier:
                break
            }
        }
    }
}
