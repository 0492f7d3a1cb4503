import PilotQuantum

/// A Hamiltonian written as a real-weighted sum of Pauli strings, the form a QPU can estimate term
/// by term. Labels follow Qiskit order (rightmost character = qubit 0), like `QuantumJob`.
public struct PauliSum: Sendable, Hashable {
    public struct Term: Sendable, Hashable {
        public var coefficient: Double
        public var pauli: PauliString
        public init(coefficient: Double, pauli: PauliString) {
            self.coefficient = coefficient
            self.pauli = pauli
        }
    }

    public var qubits: Int
    public var terms: [Term]

    public init(qubits: Int, terms: [Term]) {
        self.qubits = qubits
        self.terms = terms
    }

    /// The observables to request from a `QuantumJob`, in term order.
    public var labels: [String] { terms.map(\.pauli.label) }

    /// Open-chain transverse-field Ising model H = −J Σ Z_i Z_{i+1} − h Σ X_i.
    public static func transverseFieldIsing(qubits: Int, j: Double, h: Double) throws(MiniAppError) -> PauliSum {
        guard qubits >= 2, qubits <= 20 else {
            throw MiniAppError(.invalidParameter, "the Ising chain needs 2...20 qubits, got \(qubits)", field: "qubits")
        }
        var terms: [Term] = []
        for i in 0..<(qubits - 1) {
            var ops = [PauliString.Operator](repeating: .i, count: qubits)
            ops[i] = .z
            ops[i + 1] = .z
            terms.append(Term(coefficient: -j, pauli: PauliString(operators: ops)))
        }
        for i in 0..<qubits {
            var ops = [PauliString.Operator](repeating: .i, count: qubits)
            ops[i] = .x
            terms.append(Term(coefficient: -h, pauli: PauliString(operators: ops)))
        }
        return PauliSum(qubits: qubits, terms: terms)
    }

    /// Σ c_k ⟨P_k⟩ from expectation values given in term order.
    public func energy(expectations: [Double]) throws(MiniAppError) -> Double {
        guard expectations.count == terms.count else {
            throw MiniAppError(.badResult, "expected \(terms.count) expectation values, got \(expectations.count)")
        }
        var e = 0.0
        for (t, v) in zip(terms, expectations) { e += t.coefficient * v }
        return e
    }

    /// Exact energy of a state vector (2^qubits amplitudes).
    public func energy(state: [ComplexAmplitude]) -> Double {
        let sim = StateVectorSimulator()
        var e = 0.0
        for t in terms { e += t.coefficient * sim.expectation(t.pauli, state: state) }
        return e
    }

    /// The dense matrix in the computational basis, row-major, for exact diagonalisation. Only
    /// real Hamiltonians are supported (every term has an even number of Y), which covers the
    /// Ising-type models the mini-apps use and keeps the eigensolver real.
    public func denseRealMatrix() throws(MiniAppError) -> [Double] {
        guard qubits <= 12 else {
            throw MiniAppError(.invalidParameter, "exact diagonalisation is limited to 12 qubits, got \(qubits)", field: "qubits")
        }
        let dim = 1 << qubits
        var m = [Double](repeating: 0, count: dim * dim)
        for term in terms {
            var flip = 0, sign = 0, ys = 0
            for q in 0..<qubits {
                switch term.pauli[q] {
                case .x: flip |= 1 << q
                case .y: flip |= 1 << q; sign |= 1 << q; ys += 1
                case .z: sign |= 1 << q
                case .i: break
                }
            }
            guard ys % 2 == 0 else {
                throw MiniAppError(.invalidParameter, "term \(term.pauli.label) is imaginary; only real Hamiltonians are diagonalised")
            }
            // P|b⟩ = i^ys · (−1)^{popcount(b & sign)} |b ⊕ flip⟩, with i^ys = ±1 here.
            let base = (ys / 2) % 2 == 0 ? term.coefficient : -term.coefficient
            for b in 0..<dim {
                let value = (b & sign).nonzeroBitCount % 2 == 0 ? base : -base
                m[(b ^ flip) * dim + b] += value
            }
        }
        return m
    }
}
