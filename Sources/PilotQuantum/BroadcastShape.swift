/// NumPy's broadcasting rules, which Qiskit's PUBs follow: shapes are aligned on their last axes,
/// and each pair of sizes must be equal or contain a 1.
enum BroadcastShape {
    static func combine(_ a: [Int], _ b: [Int]) -> [Int]? {
        let n = max(a.count, b.count)
        var result = [Int](repeating: 1, count: n)
        for k in 0..<n {
            let x = k < n - a.count ? 1 : a[k - (n - a.count)]
            let y = k < n - b.count ? 1 : b[k - (n - b.count)]
            guard x == y || x == 1 || y == 1 else { return nil }
            result[k] = x == 1 ? y : x
        }
        return result
    }

    static func count(_ shape: [Int]) -> Int { shape.reduce(1, *) }

    /// The flat (C-order) index into an operand of `shape` for the flat index `flat` of the
    /// broadcast result of shape `result`.
    static func operandIndex(_ flat: Int, result: [Int], operand shape: [Int]) -> Int {
        var remaining = flat
        var index = 0
        var step = 1
        let offset = result.count - shape.count
        for k in stride(from: result.count - 1, through: 0, by: -1) {
            let coordinate = remaining % max(result[k], 1)
            remaining /= max(result[k], 1)
            if k >= offset {
                let size = shape[k - offset]
                if size != 1 { index += coordinate * step }
                step *= size
            }
        }
        return index
    }

    static func text(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
}
