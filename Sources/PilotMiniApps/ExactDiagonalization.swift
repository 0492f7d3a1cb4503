/// Eigenvalues of small real symmetric matrices by cyclic Jacobi rotations: slow (O(n³) per
/// sweep) but unconditionally stable and short, which is what a reference value for 2–8 qubits
/// needs. Used for the VQE's exact ground energy.
public enum ExactDiagonalization {
    /// All eigenvalues, ascending. `matrix` is row-major, n×n, and must be symmetric.
    public static func eigenvalues(symmetric matrix: [Double], dimension n: Int) throws(MiniAppError) -> [Double] {
        guard n > 0, matrix.count == n * n else {
            throw MiniAppError(.invalidParameter, "matrix has \(matrix.count) entries, expected \(n)×\(n)")
        }
        for i in 0..<n {
            for j in (i + 1)..<max(i + 1, n) where abs(matrix[i * n + j] - matrix[j * n + i]) > 1e-12 {
                throw MiniAppError(.invalidParameter, "matrix is not symmetric at (\(i), \(j))")
            }
        }
        var a = matrix
        var total = 0.0
        for v in a { total += v * v }
        let threshold = 1e-26 * max(total, 1e-300)
        a.withUnsafeMutableBufferPointer { a in
            for _ in 0..<100 {
                var off = 0.0
                for i in 0..<n { for j in 0..<n where i != j { off += a[i * n + j] * a[i * n + j] } }
                if off <= threshold { break }
                for p in 0..<(n - 1) {
                    for q in (p + 1)..<n {
                        let apq = a[p * n + q]
                        if apq == 0 { continue }
                        // Choose the smaller rotation that zeroes a[p][q] (better conditioned).
                        let theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
                        let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                        let c = 1 / (t * t + 1).squareRoot()
                        let s = t * c
                        for k in 0..<n {
                            let akp = a[k * n + p], akq = a[k * n + q]
                            a[k * n + p] = c * akp - s * akq
                            a[k * n + q] = s * akp + c * akq
                        }
                        for k in 0..<n {
                            let apk = a[p * n + k], aqk = a[q * n + k]
                            a[p * n + k] = c * apk - s * aqk
                            a[q * n + k] = s * apk + c * aqk
                        }
                    }
                }
            }
        }
        return (0..<n).map { a[$0 * n + $0] }.sorted()
    }

    /// The lowest eigenvalue of a real Hamiltonian.
    public static func groundEnergy(of hamiltonian: PauliSum) throws(MiniAppError) -> Double {
        let m = try hamiltonian.denseRealMatrix()
        return try eigenvalues(symmetric: m, dimension: 1 << hamiltonian.qubits)[0]
    }
}
