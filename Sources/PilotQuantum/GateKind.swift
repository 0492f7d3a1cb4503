/// The gates the simulator implements natively: the OpenQASM 2 built-ins `U`/`CX` and the
/// qelib1.inc set as Qiskit's legacy importer understands it. Matrices follow Qiskit exactly,
/// including global phases, so statevectors compare amplitude for amplitude.
public enum GateKind: String, Sendable, Codable, CaseIterable {
    case id, x, y, z, h, s, sdg, t, tdg, sx, sxdg
    case rx, ry, rz, p, u1, u2, u3, u
    case cx, cy, cz, ch, csx, swap
    case crx, cry, crz, cp, cu1, cu3, cu
    case ccx, cswap
    case rxx, rzz

    public var qubitCount: Int {
        switch self {
        case .id, .x, .y, .z, .h, .s, .sdg, .t, .tdg, .sx, .sxdg, .rx, .ry, .rz, .p, .u1, .u2, .u3, .u:
            return 1
        case .cx, .cy, .cz, .ch, .csx, .swap, .crx, .cry, .crz, .cp, .cu1, .cu3, .cu, .rxx, .rzz:
            return 2
        case .ccx, .cswap:
            return 3
        }
    }

    public var parameterCount: Int {
        switch self {
        case .rx, .ry, .rz, .p, .u1, .crx, .cry, .crz, .cp, .cu1, .rxx, .rzz: return 1
        case .u2: return 2
        case .u3, .u, .cu3: return 3
        case .cu: return 4
        default: return 0
        }
    }

    /// Number of leading qubits that act as controls (the rest are targets).
    public var controlCount: Int {
        switch self {
        case .cx, .cy, .cz, .ch, .csx, .crx, .cry, .crz, .cp, .cu1, .cu3, .cu, .cswap: return 1
        case .ccx: return 2
        default: return 0
        }
    }

    /// Resolves QASM spellings, including the upper-case OpenQASM 2 built-ins.
    public static func named(_ name: String) -> GateKind? {
        switch name {
        case "U": return .u
        case "CX": return .cx
        default: return byName[name]
        }
    }

    /// One hash instead of comparing the name with each case in turn, once per gate call read.
    private static let byName: [String: GateKind] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0) })
}
