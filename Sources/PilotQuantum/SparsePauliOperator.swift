/// A real linear combination of Pauli strings, like Qiskit's `SparsePauliOp` restricted to real
/// coefficients (the only kind whose expectation value is a real observable). Terms keep their
/// order and repeats as given; the expectation value is linear, so nothing needs simplifying.
public struct SparsePauliOperator: Sendable, Hashable {
    public struct Term: Sendable, Hashable {
        public var pauli: PauliString
        public var coefficient: Double
        public init(_ pauli: PauliString, _ coefficient: Double) {
            self.pauli = pauli
            self.coefficient = coefficient
        }
    }

    public var terms: [Term]

    public init(_ terms: [Term]) {
        self.terms = terms
    }

    /// Σ c² over the terms that need measuring: the variance of a shot estimate with n shots per
    /// term is at most this over n, which is how a precision target becomes a shot count.
    public var measuredCoefficientSquares: Double {
        terms.reduce(0) { $1.pauli.weight > 0 ? $0 + $1.coefficient * $1.coefficient : $0 }
    }
}
