import Foundation

/// Chi-square distribution helpers for statistical tests: the CDF through the regularized lower
/// incomplete gamma function and the quantile by bisection.
enum ChiSquare {
    /// P(a, x) by its series for x < a + 1 and by the continued fraction of Q otherwise.
    static func regularizedGammaP(_ a: Double, _ x: Double) -> Double {
        if x <= 0 { return 0 }
        let logPrefix = a * log(x) - x - lgamma(a)
        if x < a + 1 {
            var term = 1 / a
            var sum = term
            var n = 1.0
            while abs(term) > abs(sum) * 1e-15 {
                term *= x / (a + n)
                sum += term
                n += 1
            }
            return sum * exp(logPrefix)
        }
        // Lentz's method for the continued fraction of Q(a, x).
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        var i = 1.0
        while true {
            let an = -i * (i - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
            i += 1
        }
        return 1 - exp(logPrefix) * h
    }

    static func cdf(_ x: Double, degreesOfFreedom k: Int) -> Double {
        regularizedGammaP(Double(k) / 2, x / 2)
    }

    static func quantile(_ p: Double, degreesOfFreedom k: Int) -> Double {
        var lo = 0.0
        var hi = Double(k) + 20 * Double(k).squareRoot() + 100
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if cdf(mid, degreesOfFreedom: k) < p { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    /// Pearson statistic over outcomes with expected count ≥ 5 (the rest pooled into one bin).
    static func statistic(counts: [String: Int], probabilities: [String: Double], shots: Int) -> (value: Double, dof: Int) {
        var chi = 0.0
        var bins = 0
        var pooledExpected = 0.0
        var pooledObserved = 0
        for (key, p) in probabilities {
            let expected = p * Double(shots)
            let observed = counts[key] ?? 0
            if expected >= 5 {
                chi += (Double(observed) - expected) * (Double(observed) - expected) / expected
                bins += 1
            } else {
                pooledExpected += expected
                pooledObserved += observed
            }
        }
        if pooledExpected >= 5 {
            chi += (Double(pooledObserved) - pooledExpected) * (Double(pooledObserved) - pooledExpected) / pooledExpected
            bins += 1
        }
        return (chi, max(1, bins - 1))
    }
}
