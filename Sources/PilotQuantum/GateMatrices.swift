import Foundation

/// Qiskit's gate definitions, global phase included.
enum GateMatrices {
    static func u3(_ theta: Double, _ phi: Double, _ lambda: Double) -> Matrix2 {
        let c = cos(theta / 2)
        let s = sin(theta / 2)
        return Matrix2(ComplexAmplitude(c), -(s * ComplexAmplitude.phase(lambda)),
                       s * ComplexAmplitude.phase(phi), c * ComplexAmplitude.phase(phi + lambda))
    }

    static func diagonal(_ d0: ComplexAmplitude, _ d1: ComplexAmplitude) -> Matrix2 {
        Matrix2(d0, .zero, .zero, d1)
    }

    /// Matrix of a one-qubit gate, or of the target part of a controlled gate.
    static func single(_ kind: GateKind, _ p: [Double]) -> Matrix2? {
        let r = 1 / 2.0.squareRoot()
        switch kind {
        case .id: return .identity
        case .x, .cx, .ccx: return Matrix2(.zero, .one, .one, .zero)
        case .y, .cy: return Matrix2(.zero, ComplexAmplitude(0, -1), .i, .zero)
        case .z, .cz: return diagonal(.one, ComplexAmplitude(-1))
        case .h, .ch: return Matrix2(ComplexAmplitude(r), ComplexAmplitude(r), ComplexAmplitude(r), ComplexAmplitude(-r))
        case .s: return diagonal(.one, .i)
        case .sdg: return diagonal(.one, ComplexAmplitude(0, -1))
        case .t: return diagonal(.one, ComplexAmplitude(r, r))
        case .tdg: return diagonal(.one, ComplexAmplitude(r, -r))
        case .sx, .csx:
            return Matrix2(ComplexAmplitude(0.5, 0.5), ComplexAmplitude(0.5, -0.5),
                           ComplexAmplitude(0.5, -0.5), ComplexAmplitude(0.5, 0.5))
        case .sxdg:
            return Matrix2(ComplexAmplitude(0.5, -0.5), ComplexAmplitude(0.5, 0.5),
                           ComplexAmplitude(0.5, 0.5), ComplexAmplitude(0.5, -0.5))
        case .rx, .crx:
            let c = cos(p[0] / 2), s = sin(p[0] / 2)
            return Matrix2(ComplexAmplitude(c), ComplexAmplitude(0, -s), ComplexAmplitude(0, -s), ComplexAmplitude(c))
        case .ry, .cry:
            let c = cos(p[0] / 2), s = sin(p[0] / 2)
            return Matrix2(ComplexAmplitude(c), ComplexAmplitude(-s), ComplexAmplitude(s), ComplexAmplitude(c))
        case .rz, .crz:
            return diagonal(.phase(-p[0] / 2), .phase(p[0] / 2))
        case .p, .u1, .cp, .cu1:
            return diagonal(.one, .phase(p[0]))
        case .u2:
            return u3(Double.pi / 2, p[0], p[1])
        case .u3, .u, .cu3:
            return u3(p[0], p[1], p[2])
        case .cu:
            let m = u3(p[0], p[1], p[2])
            let g = ComplexAmplitude.phase(p[3])
            return Matrix2(g * m.a, g * m.b, g * m.c, g * m.d)
        case .swap, .cswap, .rxx, .rzz:
            return nil
        }
    }
}
