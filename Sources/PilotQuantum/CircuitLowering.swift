import Foundation

/// Turns gates into kernel operations. Runs of one-qubit gates on the same qubit are multiplied
/// into a single 2×2 matrix first, which removes a full pass over the state per absorbed gate.
enum CircuitLowering {
    static func lower(_ gates: [QuantumGate], fuse: Bool = true) -> [KernelOperation] {
        var result: [KernelOperation] = []
        result.reserveCapacity(gates.count)
        var pending: [Int: Matrix2] = [:]
        func flush(_ q: Int) {
            if let m = pending.removeValue(forKey: q), !m.isIdentity {
                result.append(.matrix1(target: q, controlMask: 0, matrix: m))
            }
        }
        for gate in gates {
            if gate.kind.qubitCount == 1, let m = GateMatrices.single(gate.kind, gate.parameters) {
                let q = gate.qubits[0]
                if fuse {
                    pending[q] = m.after(pending[q] ?? .identity)
                } else if !m.isIdentity {
                    result.append(.matrix1(target: q, controlMask: 0, matrix: m))
                }
                continue
            }
            for q in gate.qubits { flush(q) }
            result.append(lowerMultiQubit(gate))
        }
        for q in pending.keys.sorted() { flush(q) }
        return result
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
}
