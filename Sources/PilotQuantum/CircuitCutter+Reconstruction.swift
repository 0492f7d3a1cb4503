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
    ///   ⟨O⟩ = 2^{−K} Σ_{M ∈ {I,X,Y,Z}^K} Σ_{t ∈ terms^G} Π_j c_j(t_j)
    ///         Π_f Σ_{p} Π_{c ∈ in(f)} coef[M_c][p_c] · E_f(p, t|_f, O_f ⊗ M_out(f))
    /// over the K wire cuts and the G gate cuts (six terms each, see `CutPlan.GateCut`), where t|_f
    /// are the local choices term t makes at f's gate-cut ends. Standard errors are propagated to
    /// first order, fragment estimates being independent; with exact fragment values (shots 0)
    /// they are 0.
    public static func reconstruct(_ plan: CutPlan, results: [QuantumResult]) throws(QuantumError) -> [ExpectationValue] {
        guard results.count == plan.subexperiments.count else {
            throw QuantumError(.cutting, "expected \(plan.subexperiments.count) sub-experiment results, got \(results.count)")
        }
        let cutCount = plan.cuts.count
        // First sub-experiment of each fragment; preparations, then gate-cut settings, follow it.
        var offsets = [Int](repeating: -1, count: plan.fragments.count)
        for (i, s) in plan.subexperiments.enumerated() where offsets[s.fragment] < 0 { offsets[s.fragment] = i }
        var lookup: [[String: ExpectationValue]] = []
        for r in results {
            var table: [String: ExpectationValue] = [:]
            for e in r.expectations { table[e.observable] = e }
            lookup.append(table)
        }
        let gateTerms = plan.gateCuts.map { CutPlan.GateCut.terms(theta: $0.theta) }
        let termCount = gateTerms.reduce(1) { $0 * $1.count }
        let choiceCount = CutPlan.GateChoice.allCases.count

        var output: [ExpectationValue] = []
        for (term, observable) in plan.observables.enumerated() {
            // E[f][k][m] and its standard error, k = preparation + preparations × gate-cut setting.
            var values: [[[Double]]] = []
            var errors: [[[Double]]] = []
            for (f, fragment) in plan.fragments.enumerated() {
                let preps = 1 << (2 * fragment.incomingCuts.count)
                let settings = choiceCombinations(fragment)
                let measures = 1 << (2 * fragment.outgoingCuts.count)
                var v = [[Double]](repeating: [Double](repeating: 0, count: measures), count: preps * settings)
                var e = v
                for g in 0..<settings {
                    let choices = gateChoices(fragment, g)
                    for p in 0..<preps {
                        let index = offsets[f] + p + preps * g
                        for m in 0..<measures {
                            let label = label(fragment, term: term, m: m, cuts: plan.cuts, choices: choices)
                            guard index < lookup.count, let value = lookup[index][label] else {
                                throw QuantumError(.cutting, "result \(index) (fragment \(f)) has no value for observable \(label)")
                            }
                            v[p + preps * g][m] = value.value
                            e[p + preps * g][m] = value.standardError
                        }
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
            var settingOf = [Int](repeating: 0, count: plan.fragments.count)
            for assignment in 0..<(1 << (2 * cutCount)) {
                for t in 0..<termCount {
                    // Term index of each gate cut, and the coefficient product.
                    var coefficient = scale
                    var rest = t
                    var picked: [Int] = []
                    for terms in gateTerms {
                        picked.append(rest % terms.count)
                        coefficient *= terms[rest % terms.count].coefficient
                        rest /= terms.count
                    }
                    if coefficient == 0 { continue }
                    for (f, fragment) in plan.fragments.enumerated() {
                        var m = 0
                        for (j, c) in fragment.outgoingCuts.enumerated() { m |= ((assignment >> (2 * c)) & 3) << (2 * j) }
                        mOut[f] = m
                        var setting = 0
                        for end in fragment.gateCutEnds.reversed() {
                            let choices = gateTerms[end.cut][picked[end.cut]].choices
                            let choice = end.side == 0 ? choices.0 : choices.1
                            setting = setting * choiceCount + CutPlan.GateChoice.allCases.firstIndex(of: choice)!
                        }
                        settingOf[f] = setting
                        let preps = weights[f].count
                        var factor = 0.0
                        for p in 0..<preps {
                            var w = 1.0
                            for (j, c) in fragment.incomingCuts.enumerated() {
                                w *= coefficients[(assignment >> (2 * c)) & 3][(p >> (2 * j)) & 3]
                                if w == 0 { break }
                            }
                            weights[f][p] = w
                            if w != 0 { factor += w * values[f][p + preps * setting][m] }
                        }
                        factors[f] = factor
                    }
                    total += coefficient * factors.reduce(1, *)
                    for f in plan.fragments.indices {
                        var others = coefficient
                        for g in plan.fragments.indices where g != f { others *= factors[g] }
                        if others == 0 { continue }
                        let preps = weights[f].count
                        for p in 0..<preps where weights[f][p] != 0 {
                            gradient[f][p + preps * settingOf[f]][mOut[f]] += others * weights[f][p]
                        }
                    }
                }
            }
            var variance = 0.0
            for f in gradient.indices {
                for k in gradient[f].indices {
                    for m in gradient[f][k].indices {
                        let g = gradient[f][k][m] * errors[f][k][m]
                        variance += g * g
                    }
                }
            }
            output.append(ExpectationValue(observable: observable, value: total, standardError: variance.squareRoot()))
        }
        return output
    }
}
