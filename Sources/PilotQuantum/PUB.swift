/// One primitive unified bloc (Qiskit's PUB) of a `PUBJob`: a circuit, an array of parameter
/// bindings, and for the estimator an array of observables broadcast against the bindings.
///
/// Arrays are stored flat in C order with their shapes; results come back in the broadcast shape
/// so a client can rebuild Qiskit's shapes exactly.
public struct PUB: Sendable {
    /// What the estimator aims for, per observable.
    public enum Target: Sendable, Hashable {
        /// Exact expectation values from the state vector; standard deviation 0.
        case exact
        /// Every non-identity Pauli term is measured with this many shots.
        case shots(Int)
        /// Shots per term chosen so the standard deviation is at most this (worst case, Σc²/n).
        case precision(Double)
    }

    /// Read once; each binding only fills in the parameter values.
    public var circuit: ParameterizedCircuit
    /// The parameter each column of `bindings` gives, a permutation of `circuit.parameters`.
    public var parameterOrder: [String]
    public var bindingShape: [Int]
    /// `bindingCount × parameterOrder.count` values, binding by binding.
    public var bindings: [Double]
    /// Empty for the sampler.
    public var observableShape: [Int]
    public var observables: [SparsePauliOperator]
    /// Sampler: shots per binding.
    public var shots: Int
    /// Estimator only.
    public var target: Target

    public var bindingCount: Int { BroadcastShape.count(bindingShape) }

    /// Estimator results have this shape; sampler results have the bindings' shape.
    public var resultShape: [Int] {
        observables.isEmpty ? bindingShape : BroadcastShape.combine(bindingShape, observableShape) ?? bindingShape
    }

    /// Shots per non-identity term of `observable` under the estimator's target: 0 for exact values;
    /// for a precision, enough that the worst-case standard deviation (Σc²/n) is within it.
    public func shots(for observable: SparsePauliOperator) -> Int {
        switch target {
        case .exact: return 0
        case .shots(let n): return n
        case .precision(let p):
            let needed = (observable.measuredCoefficientSquares / (p * p)).rounded(.up)
            return Int(min(max(needed, 1), Double(QPUExecutor.maxShots)))
        }
    }

    /// Where binding `b` (a flat index) sits in the bindings' array: one coordinate per axis.
    public func coordinates(ofBinding b: Int) -> [Int] {
        var coordinates: [Int] = []
        var rest = b
        for size in bindingShape.reversed() {
            coordinates.insert(rest % max(size, 1), at: 0)
            rest /= max(size, 1)
        }
        return coordinates
    }

    /// The estimator's results by the binding they are computed on, bindings in order: each binding's
    /// circuit is bound (and its state prepared) once for every result and observable broadcast onto it.
    func resultsByBinding() -> [(binding: Int, results: [(result: Int, observable: Int)])] {
        let shape = resultShape
        var groups: [Int: [(result: Int, observable: Int)]] = [:]
        for r in 0..<BroadcastShape.count(shape) {
            let b = BroadcastShape.operandIndex(r, result: shape, operand: bindingShape)
            let o = BroadcastShape.operandIndex(r, result: shape, operand: observableShape)
            groups[b, default: []].append((r, o))
        }
        return groups.keys.sorted().map { ($0, groups[$0]!) }
    }

    /// An estimator result of this PUB from its values and standard errors, in result order.
    func estimatorResult(evs: [Double], stds: [Double], shots: Int) -> PUBResult {
        var result = PUBResult(shape: resultShape, shots: shots)
        result.evs = evs
        result.stds = stds
        if case .precision(let p) = target { result.precision = p }
        return result
    }

    /// Values for the binding at flat index `index`, by parameter name.
    public func values(at index: Int) -> [String: Double] {
        var values: [String: Double] = [:]
        let width = parameterOrder.count
        for (k, name) in parameterOrder.enumerated() { values[name] = bindings[index * width + k] }
        return values
    }
}
