import Foundation

/// Weighted linear least squares with a ridge pull towards prior coefficients:
///   minimise Σ wᵢ (yᵢ − xᵢ·β)² + λ Σⱼ sⱼ² (βⱼ − priorⱼ)²
/// where sⱼ² is column j's weighted mean square, so λ is scale-free. The prior keeps columns the
/// data cannot tell apart (a device kind never run, two features that always move together) at
/// their documented defaults instead of letting them take arbitrary values.
public enum LeastSquares {
    public static func solve(rows: [[Double]], targets: [Double], weights: [Double], prior: [Double],
                             ridge: Double = 1e-3) -> [Double] {
        let p = prior.count
        guard !rows.isEmpty else { return prior }
        var a = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
        var b = [Double](repeating: 0, count: p)
        var scale = [Double](repeating: 0, count: p)
        var totalWeight = 0.0
        for (i, x) in rows.enumerated() {
            let w = weights[i]
            totalWeight += w
            for j in 0..<p {
                scale[j] += w * x[j] * x[j]
                b[j] += w * x[j] * targets[i]
                for k in 0..<p { a[j][k] += w * x[j] * x[k] }
            }
        }
        for j in 0..<p {
            // A column that is zero everywhere gets a unit pull so the system stays solvable.
            let s = totalWeight > 0 && scale[j] > 0 ? ridge * scale[j] : 1
            a[j][j] += s
            b[j] += s * prior[j]
        }
        return gaussianSolve(a, b) ?? prior
    }

    /// Gaussian elimination with partial pivoting; nil when the system is singular.
    static func gaussianSolve(_ matrix: [[Double]], _ rhs: [Double]) -> [Double]? {
        var a = matrix
        var b = rhs
        let n = b.count
        for col in 0..<n {
            var pivot = col
            for r in col..<n where abs(a[r][col]) > abs(a[pivot][col]) { pivot = r }
            guard abs(a[pivot][col]) > 1e-300 else { return nil }
            a.swapAt(col, pivot)
            b.swapAt(col, pivot)
            for r in (col + 1)..<n {
                let f = a[r][col] / a[col][col]
                guard f != 0 else { continue }
                for k in col..<n { a[r][k] -= f * a[col][k] }
                b[r] -= f * b[col]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for r in stride(from: n - 1, through: 0, by: -1) {
            var s = b[r]
            for k in (r + 1)..<n { s -= a[r][k] * x[k] }
            x[r] = s / a[r][r]
        }
        return x.allSatisfy(\.isFinite) ? x : nil
    }
}
