import Foundation

/// Rewrites a circuit into a device's basis gates without changing its unitary: the global phase
/// the rewrites introduce goes into `QuantumCircuit.globalPhase`, so statevectors stay equal.
///
/// Two-qubit gates become CX and one-qubit gates (SWAP as three CX, CZ/RZZ/RXX by their textbook
/// circuits, any controlled one-qubit gate by the A·X·B·X·C construction of Nielsen & Chuang
/// §4.3); one-qubit gates outside the basis, fused per qubit, are synthesised from their ZYZ
/// Euler angles as rz·sx·rz·sx·rz (IBM-style bases), rz·ry·rz, or one u3/u. The basis needs `cx`
/// and one of those one-qubit families.
enum BasisLowering {
    enum Family {
        case zsx, zyz, u3(GateKind)
    }

    static func lower(_ circuit: QuantumCircuit, to basis: [String]) throws(QuantumError) -> QuantumCircuit {
        let allowed = Set(basis)
        let family: Family
        if allowed.contains("rz"), allowed.contains("sx") {
            family = .zsx
        } else if allowed.contains("rz"), allowed.contains("ry") {
            family = .zyz
        } else if allowed.contains("u3") || allowed.contains("u") {
            family = .u3(allowed.contains("u3") ? .u3 : .u)
        } else {
            throw QuantumError(.deviceMismatch,
                               "cannot lower to basis [\(basis.joined(separator: ", "))]: it needs rz+sx, rz+ry or u3 for one-qubit gates")
        }
        guard allowed.contains("cx") else {
            throw QuantumError(.deviceMismatch, "cannot lower to basis [\(basis.joined(separator: ", "))]: it needs cx")
        }
        var output = circuit
        output.operations = []
        var phase = circuit.globalPhase
        // One-qubit matrices not yet written, per qubit: runs of them become one synthesis.
        var pending: [Int: Matrix2] = [:]

        func flush(_ q: Int) {
            guard let m = pending.removeValue(forKey: q) else { return }
            let (gates, extra) = synthesise(m, on: q, family: family)
            phase += extra
            output.operations += gates.map { .gate($0) }
        }

        for op in SabreRouter.expandThreeQubitGates(circuit.operations) {
            guard case .gate(let gate) = op else {
                for q in op.qubits { flush(q) }
                output.operations.append(op)
                continue
            }
            for g in twoQubitRewrite(gate, phase: &phase) {
                if g.qubits.count == 1 {
                    if allowed.contains(g.kind.rawValue), pending[g.qubits[0]] == nil {
                        output.operations.append(.gate(g))
                    } else {
                        let m = GateMatrices.single(g.kind, g.parameters) ?? .identity
                        pending[g.qubits[0]] = m.after(pending[g.qubits[0]] ?? .identity)
                    }
                } else {
                    for q in g.qubits { flush(q) }
                    output.operations.append(.gate(g))
                }
            }
        }
        for q in pending.keys.sorted() { flush(q) }
        output.globalPhase = phase
        return output
    }

    /// `gate` as CX and one-qubit gates (one-qubit gates come back unchanged).
    static func twoQubitRewrite(_ gate: QuantumGate, phase: inout Double) -> [QuantumGate] {
        let q = gate.qubits
        switch gate.kind {
        case _ where q.count == 1, .cx:
            return [gate]
        case .swap:
            return [QuantumGate(.cx, [q[0], q[1]]), QuantumGate(.cx, [q[1], q[0]]), QuantumGate(.cx, [q[0], q[1]])]
        case .cz:
            return [QuantumGate(.h, [q[1]]), QuantumGate(.cx, q), QuantumGate(.h, [q[1]])]
        case .rzz:
            return [QuantumGate(.cx, q), QuantumGate(.rz, [q[1]], gate.parameters), QuantumGate(.cx, q)]
        case .rxx:
            let h = [QuantumGate(.h, [q[0]]), QuantumGate(.h, [q[1]])]
            return h + [QuantumGate(.cx, q), QuantumGate(.rz, [q[1]], gate.parameters), QuantumGate(.cx, q)] + h
        default:
            // Controlled V with V = e^{iα} Rz(β) Ry(γ) Rz(δ): C, CX, B, CX, A on the target and
            // a phase α on the control, where A = Rz(β)Ry(γ/2), B = Ry(−γ/2)Rz(−(δ+β)/2),
            // C = Rz((δ−β)/2).
            let v = GateMatrices.single(gate.kind, gate.parameters) ?? .identity
            let (alpha, beta, gamma, delta) = zyz(v)
            let (c, t) = (q[0], q[1])
            return [
                QuantumGate(.rz, [t], [(delta - beta) / 2]),
                QuantumGate(.cx, [c, t]),
                QuantumGate(.rz, [t], [-(delta + beta) / 2]), QuantumGate(.ry, [t], [-gamma / 2]),
                QuantumGate(.cx, [c, t]),
                QuantumGate(.ry, [t], [gamma / 2]), QuantumGate(.rz, [t], [beta]),
                QuantumGate(.p, [c], [alpha]),
            ]
        }
    }

    /// U = e^{iα} Rz(β) Ry(γ) Rz(δ).
    static func zyz(_ u: Matrix2) -> (alpha: Double, beta: Double, gamma: Double, delta: Double) {
        let det = u.a * u.d - u.b * u.c
        let alpha = atan2(det.im, det.re) / 2
        let unphase = ComplexAmplitude.phase(-alpha)
        // SU(2) form [[a, −b*], [b, a*]] with a = e^{−i(β+δ)/2}cos(γ/2), b = e^{i(β−δ)/2}sin(γ/2).
        let a = unphase * u.a
        let b = unphase * u.c
        let gamma = 2 * atan2(b.magnitude, a.magnitude)
        let sum = a.magnitude > 1e-12 ? -2 * atan2(a.im, a.re) : 0
        let difference = b.magnitude > 1e-12 ? 2 * atan2(b.im, b.re) : 0
        return (alpha, (sum + difference) / 2, gamma, (sum - difference) / 2)
    }

    /// Gates in `family` equal to `m` up to the returned global phase.
    static func synthesise(_ m: Matrix2, on q: Int, family: Family) -> ([QuantumGate], Double) {
        let (_, beta, gamma, delta) = zyz(m)
        var gates: [QuantumGate]
        if abs(gamma) < 1e-12 {
            gates = [QuantumGate(.rz, [q], [beta + delta])]
            if case .u3(let kind) = family { gates = [QuantumGate(kind, [q], [0, 0, beta + delta])] }
        } else {
            switch family {
            case .zyz:
                gates = [QuantumGate(.rz, [q], [delta]), QuantumGate(.ry, [q], [gamma]), QuantumGate(.rz, [q], [beta])]
            case .u3(let kind):
                gates = [QuantumGate(kind, [q], [gamma, beta, delta])]
            case .zsx:
                // Qiskit's U3 → ZSX rule: rz(λ)·sx·rz(θ+π)·sx·rz(φ+π) ∝ U3(θ, φ, λ), and
                // Rz(β)Ry(γ)Rz(δ) ∝ U3(γ, β, δ).
                gates = [QuantumGate(.rz, [q], [delta]), QuantumGate(.sx, [q]), QuantumGate(.rz, [q], [gamma + Double.pi]),
                         QuantumGate(.sx, [q]), QuantumGate(.rz, [q], [beta + Double.pi])]
            }
        }
        // The phase between m and what the gates multiply to, measured rather than derived per family.
        var product = Matrix2.identity
        for g in gates { product = (GateMatrices.single(g.kind, g.parameters) ?? .identity).after(product) }
        let entries = [(m.a, product.a), (m.b, product.b), (m.c, product.c), (m.d, product.d)]
        let (target, made) = entries.max { $0.1.magnitude < $1.1.magnitude }!
        let ratio = target * made.conjugate
        return (gates, atan2(ratio.im, ratio.re))
    }
}
