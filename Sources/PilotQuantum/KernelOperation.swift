/// A gate lowered to the shape the kernels want. Lowering picks the cheapest kernel per gate:
/// phases touch only the amplitudes whose mask bits are set, swaps only move data, and controlled
/// gates iterate over the controlled subspace only.
enum KernelOperation: Sendable {
    /// 2×2 matrix on `target`, applied where all `controlMask` bits are 1.
    case matrix1(target: Int, controlMask: Int, matrix: Matrix2)
    /// Multiplies amplitudes whose `mask` bits are all 1 by `value`.
    case phase(mask: Int, value: ComplexAmplitude)
    /// Diagonal on `qubits`; entry index bit j is the value of qubits[j].
    case diagonal(qubits: [Int], values: [ComplexAmplitude])
    /// Exchanges qubits `a` and `b` where all `controlMask` bits are 1.
    case swap(a: Int, b: Int, controlMask: Int)
    /// Dense 2^k×2^k matrix (row-major) on `qubits`; local index bit j is qubits[j].
    case dense(qubits: [Int], matrix: [ComplexAmplitude])

    var qubits: [Int] {
        switch self {
        case .matrix1(let t, let mask, _): return [t] + Self.bits(mask)
        case .phase(let mask, _): return Self.bits(mask)
        case .diagonal(let qs, _): return qs
        case .swap(let a, let b, let mask): return [a, b] + Self.bits(mask)
        case .dense(let qs, _): return qs
        }
    }

    static func bits(_ mask: Int) -> [Int] {
        var result: [Int] = []
        var m = mask
        var position = 0
        while m != 0 {
            if m & 1 == 1 { result.append(position) }
            m >>= 1
            position += 1
        }
        return result
    }
}
