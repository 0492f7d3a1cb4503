extension CircuitCutter {
    /// coefficient[M][p]: M ∈ {I, X, Y, Z} written in the preparations p ∈ {|0⟩, |1⟩, |+⟩, |+i⟩}.
    static let coefficients: [[Double]] = [
        [1, 1, 0, 0],
        [-1, -1, 2, 0],
        [-1, -1, 0, 2],
        [1, -1, 0, 0],
    ]

    /// Recombines sub-experiment results (same order as `plan.subexperiments`) into the uncut
    /// circuit's expectation values:
    ///   ⟨O⟩ = 2^{−K} Σ_{M ∈ {I,X,Y,Z}^K} Π_f Σ_{p} Π_{c ∈ in(f)} coef[M_c][p_c] · E_f(p, O_f ⊗ M_out(f)).
    /// Standard errors are propagated to first order, fragment estimates being independent; with
    /// exact fragment values (shots 0) they are 0.
    public static func reconstruct(_ plan: CutPlan, results: [QuantumResult]) throws(QuantumError) -> [ExpectationValue] {
        guard results.count == plan.subexperiments.count else {
            throw QuantumError(.cutting, "expected \(plan.subexperiments.count) sub-experiment results, got \(results.count)")
        }
        let cutCount = plan.cuts.count
        // First sub-experiment of each fragment; preparations enumerate in base 4 after it.
        var offsets = [Int](repeating: -1, count: plan.fragments.count)
        for (i, s) in plan.subexperiments.enumerated() where offsets[s.fragment] < 0 { offsets[s.fragment] = i }
        var lookup: [[String: ExpectationValue]] = []
        for r in results {
            var table: [String: ExpectationValue] = [:]
            for e in r.expectations { table[e.observable] = e }
            lookup.append(table)
        }

        var output: [ExpectationValue] = []
        for (term, observable) in plan.observables.enumerated() {
            // E[f][p][m] and its standard error.
            var values: [[[Double]]] = []
            var errors: [[[Double]]] = []
            for (f, fragment) in plan.fragments.enumerated() {
                let preps = 1 << (2 * fragment.incomingCuts.count)
                let measures = 1 << (2 * fragment.outgoingCuts.count)
                var v = [[Double]](repeating: [Double](repeating: 0, count: measures), count: preps)
                var e = v
                for p in 0..<preps {
                    let index = offsets[f] + p
                    for m in 0..<measures {
                        let label = label(fragment, term: term, m: m, cuts: plan.cuts)
                        guard let value = lookup[index][label] else {
                            throw QuantumError(.cutting, "result \(index) (fragment \(f)) has no value for observable \(label)")
                        }
                        v[p][m] = value.value
                        e[p][m] = value.standardError
                    }
                }
                values.append(v)
                errors.append(e)
            }
            var gradient = values.map { $0.map { $0.map { _ in 0.0 } } }
            var total = 0.0
            let scale = 1 / Double(1 << cutCount)
            var factors = [Double](repeating: 0, count: plan.fragments.count)
            var weights: [[Double]] = plan.fragments.map { [Double](repeating: 0, count: 1 << (2 * $0.incomingCuts.count)) }
            var mOut = [Int](repeating: 0, count: plan.fragments.count)
            for assignment in 0..<(1 << (2 * cutCount)) {
                for (f, fragment) in plan.fragments.enumerated() {
                    var m = 0
                    for (j, c) in fragment.outgoingCuts.enumerated() { m |= ((assignment >> (2 * c)) & 3) << (2 * j) }
                    mOut[f] = m
                    var factor = 0.0
                    for p in 0..<weights[f].count {
                        var w = 1.0
                        for (j, c) in fragment.incomingCuts.enumerated() {
                            w *= coefficients[(assignment >> (2 * c)) & 3][(p >> (2 * j)) & 3]
                            if w == 0 { break }
                        }
                        weights[f][p] = w
                        if w != 0 { factor += w * values[f][p][m] }
                    }
                    factors[f] = factor
                }
                total += scale * factors.reduce(1, *)
                for f in plan.fragments.indices {
                    var others = scale
                    for g in plan.fragments.indices where g != f { others *= factors[g] }
                    if others == 0 { continue }
                    for p in 0..<weights[f].count where weights[f][p] != 0 {
                        gradient[f][p][mOut[f]] += others * weights[f][p]
                    }
                }
            }
            var variance = 0.0
            for f in gradient.indices {
                for p in gradient[f].indices {
                    for m in gradient[f][p].indices {
                        let g = gradient[f][p][m] * errors[f][p][m]
                        variance += g * g
                    }
                }
            }
            output.append(ExpectationValue(observable: observable, value: total, standardError: variance.squareRoot()))
        }
        return output
    }
}
