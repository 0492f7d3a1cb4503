import Foundation

/// Turns gates into kernel operations, fusing where it saves passes over the state:
/// runs of one-qubit gates on a qubit become one 2×2 matrix; pending one-qubit matrices are
/// folded into the next two-qubit gate on their qubits (giving one dense 4×4), consecutive
/// two-qubit gates on the same pair multiply together, and one-qubit gates left at the end are
/// folded into the last dense gate on their qubit.
enum CircuitLowering {
    static func lower(_ gates: [QuantumGate], fuse: Bool = true) -> [KernelOperation] {
        var result: [KernelOperation] = []
        result.reserveCapacity(gates.count)
        if !fuse {
            for gate in gates { result.append(lowerGate(gate)) }
            return result
        }
        var pending: [Int: Matrix2] = [:]
        // Index in `result` of a dense two-qubit op that is still the last op on that qubit.
        var lastDense: [Int: Int] = [:]

        func invalidate(_ qubits: [Int]) {
            for q in qubits {
                if let index = lastDense.removeValue(forKey: q), case .dense(let qs, _) = result[index] {
                    for other in qs where other != q && lastDense[other] == index { lastDense[other] = nil }
                }
            }
        }
        func flush(_ q: Int) {
            guard let m = pending.removeValue(forKey: q), !m.isIdentity else { return }
            if let index = lastDense[q], case .dense(let qs, let matrix) = result[index] {
                result[index] = .dense(qubits: qs, matrix: multiply(embed(m, at: qs.firstIndex(of: q)!), matrix))
                return
            }
            invalidate([q])
            result.append(.matrix1(target: q, controlMask: 0, matrix: m))
        }

        for gate in gates {
            if gate.kind.qubitCount == 1, let m = GateMatrices.single(gate.kind, gate.parameters) {
                let q = gate.qubits[0]
                pending[q] = m.after(pending[q] ?? .identity)
                continue
            }
            let qs = gate.qubits
            if qs.count == 2 {
                let p0 = pending.removeValue(forKey: qs[0])
                let p1 = pending.removeValue(forKey: qs[1])
                // Same pair as the previous dense op on both qubits: multiply into it.
                if let i0 = lastDense[qs[0]], lastDense[qs[1]] == i0, case .dense(let dq, let dm) = result[i0] {
                    var g = matrix4(of: gate)
                    if dq != qs { g = swapped(g) }
                    let before = kron(p1 ?? .identity, p0 ?? .identity, order: dq == qs)
                    result[i0] = .dense(qubits: dq, matrix: multiply(g, multiply(before, dm)))
                    continue
                }
                // A dense 4×4 costs about 32 flops per amplitude; keep cheap structured one-qubit
                // kernels (diagonal, real, rx-like) separate when together they cost less.
                let separate = (p0?.kernelCost ?? 0) + (p1?.kernelCost ?? 0) + kernelCost(of: gate)
                if (p0 != nil || p1 != nil) && separate >= denseCost {
                    let fused = multiply(matrix4(of: gate), kron(p1 ?? .identity, p0 ?? .identity, order: true))
                    invalidate(qs)
                    result.append(.dense(qubits: qs, matrix: fused))
                    lastDense[qs[0]] = result.count - 1
                    lastDense[qs[1]] = result.count - 1
                    continue
                }
                for (q, p) in [(qs[0], p0), (qs[1], p1)] {
                    if let p, !p.isIdentity {
                        invalidate([q])
                        result.append(.matrix1(target: q, controlMask: 0, matrix: p))
                    }
                }
                invalidate(qs)
                let op = lowerMultiQubit(gate)
                result.append(op)
                if case .dense = op {
                    lastDense[qs[0]] = result.count - 1
                    lastDense[qs[1]] = result.count - 1
                }
                continue
            }
            for q in qs { flush(q) }
            invalidate(qs)
            result.append(lowerMultiQubit(gate))
        }
        for q in pending.keys.sorted() { flush(q) }
        return result
    }

    static let denseCost = 32

    /// Flops per amplitude of a two-qubit gate's own kernel.
    static func kernelCost(of gate: QuantumGate) -> Int {
        switch lowerMultiQubit(gate) {
        case .matrix1(_, _, let m): return max(1, m.kernelCost / 2)
        case .phase: return 2
        case .diagonal: return 6
        case .swap: return 1
        case .dense: return denseCost
        }
    }

    static func lowerGate(_ gate: QuantumGate) -> KernelOperation {
        if gate.kind.qubitCount == 1 {
            return .matrix1(target: gate.qubits[0], controlMask: 0,
                            matrix: GateMatrices.single(gate.kind, gate.parameters) ?? .identity)
        }
        return lowerMultiQubit(gate)
    }

    static func lowerMultiQubit(_ gate: QuantumGate) -> KernelOperation {
        let qs = gate.qubits
        switch gate.kind {
        case .swap:
            return .swap(a: qs[0], b: qs[1], controlMask: 0)
        case .cswap:
            return .swap(a: qs[1], b: qs[2], controlMask: 1 << qs[0])
        case .cz, .cp, .cu1:
            let m = GateMatrices.single(gate.kind, gate.parameters) ?? .identity
            return .phase(mask: (1 << qs[0]) | (1 << qs[1]), value: m.d)
        case .rzz:
            let minus = ComplexAmplitude.phase(-gate.parameters[0] / 2)
            let plus = ComplexAmplitude.phase(gate.parameters[0] / 2)
            return .diagonal(qubits: qs, values: [minus, plus, plus, minus])
        case .rxx:
            let c = ComplexAmplitude(cos(gate.parameters[0] / 2))
            let s = ComplexAmplitude(0, -sin(gate.parameters[0] / 2))
            var m = [ComplexAmplitude](repeating: .zero, count: 16)
            for r in 0..<4 {
                m[r * 4 + r] = c
                m[r * 4 + (3 - r)] = s
            }
            return .dense(qubits: qs, matrix: m)
        default:
            let controls = gate.kind.controlCount
            var mask = 0
            for q in qs[..<controls] { mask |= 1 << q }
            let m = GateMatrices.single(gate.kind, gate.parameters) ?? .identity
            return .matrix1(target: qs[controls], controlMask: mask, matrix: m)
        }
    }

    /// 4×4 matrix of a two-qubit gate; local index bit j is gate.qubits[j]. Computed by running
    /// the gate's own kernel on the four basis states, so it can never disagree with the kernels.
    static func matrix4(of gate: QuantumGate) -> [ComplexAmplitude] {
        let local = QuantumGate(gate.kind, [0, 1], gate.parameters)
        let op = lowerMultiQubit(local)
        var m = [ComplexAmplitude](repeating: .zero, count: 16)
        var column = [Double](repeating: 0, count: 8)
        for c in 0..<4 {
            for j in column.indices { column[j] = 0 }
            column[2 * c] = 1
            column.withUnsafeMutableBufferPointer { p in
                StateVectorKernels.apply(op, to: p.baseAddress!, qubits: 2, loop: ParallelLoop(threads: 1))
            }
            for r in 0..<4 { m[r * 4 + c] = ComplexAmplitude(column[2 * r], column[2 * r + 1]) }
        }
        return m
    }

    static func multiply(_ a: [ComplexAmplitude], _ b: [ComplexAmplitude]) -> [ComplexAmplitude] {
        var c = [ComplexAmplitude](repeating: .zero, count: 16)
        for r in 0..<4 {
            for k in 0..<4 {
                let x = a[r * 4 + k]
                if x == .zero { continue }
                for col in 0..<4 { c[r * 4 + col] += x * b[k * 4 + col] }
            }
        }
        return c
    }

    /// high ⊗ low, where `low` acts on local bit 0; with `order` false the roles are exchanged.
    static func kron(_ high: Matrix2, _ low: Matrix2, order: Bool) -> [ComplexAmplitude] {
        let (h, l) = order ? (high, low) : (low, high)
        func entry(_ m: Matrix2, _ r: Int, _ c: Int) -> ComplexAmplitude {
            switch (r, c) {
            case (0, 0): return m.a
            case (0, 1): return m.b
            case (1, 0): return m.c
            default: return m.d
            }
        }
        var k = [ComplexAmplitude](repeating: .zero, count: 16)
        for r in 0..<4 {
            for c in 0..<4 {
                k[r * 4 + c] = entry(h, r >> 1, c >> 1) * entry(l, r & 1, c & 1)
            }
        }
        return k
    }

    /// A one-qubit matrix on local bit `position` of a two-qubit space.
    static func embed(_ m: Matrix2, at position: Int) -> [ComplexAmplitude] {
        position == 0 ? kron(.identity, m, order: true) : kron(m, .identity, order: true)
    }

    /// The same operator with the two local bits exchanged.
    static func swapped(_ m: [ComplexAmplitude]) -> [ComplexAmplitude] {
        func flip(_ i: Int) -> Int { ((i & 1) << 1) | (i >> 1) }
        var s = [ComplexAmplitude](repeating: .zero, count: 16)
        for r in 0..<4 {
            for c in 0..<4 { s[flip(r) * 4 + flip(c)] = m[r * 4 + c] }
        }
        return s
    }
}
