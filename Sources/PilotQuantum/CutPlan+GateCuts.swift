import Foundation

/// Gate cuts: a two-qubit gate whose qubits end up in different fragments is replaced by a
/// quasi-probability mixture of local operations (Mitarai & Fujii, New J. Phys. 23 023021, 2021).
///
/// Every supported gate is, up to one-qubit Z rotations and a global phase, V = e^{iθ Z⊗Z}:
///   CP(λ) = e^{iλ/4} · (rz(λ/2) ⊗ rz(λ/2)) · V(λ/4),   CZ = CP(π),   CX = (I⊗H) CZ (I⊗H),
///   RZZ(φ) = V(−φ/2).
/// and V's channel is the six-term sum
///   VρV† = cos²θ ρ + sin²θ (Z⊗Z)ρ(Z⊗Z) + cosθ sinθ Σ_{α=±1} α [M ⊗ S_α + S_α ⊗ M](ρ)
/// where S_α(ρ) = e^{iαπ/4 Z} ρ e^{−iαπ/4 Z} (sdg for α = +1, s for α = −1, up to phase) and
/// M(ρ) = P₀ρP₀ − P₁ρP₁ is a Z measurement whose ±1 outcome multiplies the estimate. No device
/// here measures mid-circuit, so M is a CX onto an ancilla line of the fragment that starts in |0⟩
/// and is read with an extra Z in the fragment's observable: Σ_m (−1)^m Tr[O·C(P_m ρ P_m)].
/// The sampling overhead is γ² with γ = 1 + 2|sin 2θ|: 9 for CZ and CX, (1 + 2|sin(λ/2)|)² for CP(λ).
extension CutPlan {
    /// The local operation one side of a cut gate applies in one term of the decomposition.
    public enum GateChoice: String, Sendable, Codable, CaseIterable {
        case identity = "i", z, measure = "m", sPlus = "s+", sMinus = "s-"
    }

    public struct GateCut: Sendable, Codable, Hashable {
        /// Index of the cut gate among the circuit's gates.
        public var gate: Int
        public var kind: GateKind
        /// Original qubits of the gate, in gate order.
        public var qubits: [Int]
        /// θ of the equivalent e^{iθ Z⊗Z}.
        public var theta: Double
        /// Per side (gate order): the fragment, its line for the qubit and its ancilla line.
        public var fragments: [Int]
        public var lines: [Int]
        public var ancillaLines: [Int]

        /// Gates this decomposition handles.
        public static func isCuttable(_ gate: QuantumGate) -> Bool {
            switch gate.kind {
            case .cz, .cx, .cp, .cu1, .rzz: return true
            default: return false
            }
        }

        /// θ of the ZZ rotation inside `gate` (see the extension's comment).
        static func theta(of gate: QuantumGate) -> Double {
            switch gate.kind {
            case .cp, .cu1: return gate.parameters[0] / 4
            case .rzz: return -gate.parameters[0] / 2
            default: return Double.pi / 4
            }
        }

        /// γ = Σ|coefficients| = 1 + 2|sin 2θ|; the number of shots grows with γ².
        public var gamma: Double { Self.terms(theta: theta).reduce(0) { $0 + abs($1.coefficient) } }

        /// The six terms: the choice of each side and the coefficient.
        static func terms(theta: Double) -> [(choices: (GateChoice, GateChoice), coefficient: Double)] {
            let c = cos(theta), s = sin(theta)
            return [
                ((.identity, .identity), c * c),
                ((.z, .z), s * s),
                ((.measure, .sPlus), c * s),
                ((.measure, .sMinus), -c * s),
                ((.sPlus, .measure), c * s),
                ((.sMinus, .measure), -c * s),
            ]
        }

        /// One-qubit gates (on the side's line) before and after the local choice for side `side`:
        /// the Hadamards that turn CX into CZ, and the Z rotations left over from CP.
        static func localGates(of gate: QuantumGate, side: Int, line: Int) -> (before: [QuantumGate], after: [QuantumGate]) {
            var before: [QuantumGate] = []
            var after: [QuantumGate] = []
            switch gate.kind {
            case .cx:
                if side == 1 {
                    before.append(QuantumGate(.h, [line]))
                    after.append(QuantumGate(.rz, [line], [Double.pi / 2]))
                    after.append(QuantumGate(.h, [line]))
                } else {
                    after.append(QuantumGate(.rz, [line], [Double.pi / 2]))
                }
            case .cz:
                after.append(QuantumGate(.rz, [line], [Double.pi / 2]))
            case .cp, .cu1:
                after.append(QuantumGate(.rz, [line], [gate.parameters[0] / 2]))
            default:
                break
            }
            return (before, after)
        }

        /// Gates realising `choice` on `line` (ancilla `ancilla` for a measurement).
        static func gates(for choice: GateChoice, line: Int, ancilla: Int) -> [QuantumGate] {
            switch choice {
            case .identity: return []
            case .z: return [QuantumGate(.z, [line])]
            case .measure: return [QuantumGate(.cx, [line, ancilla])]
            case .sPlus: return [QuantumGate(.sdg, [line])]
            case .sMinus: return [QuantumGate(.s, [line])]
            }
        }
    }

    /// One end of a gate cut inside a fragment.
    public struct GateCutEnd: Sendable, Codable, Hashable {
        public var cut: Int
        /// 0 or 1: which of the gate's qubits.
        public var side: Int
        /// Position in the fragment circuit's operations where the local choice is inserted.
        public var operationIndex: Int
        public var line: Int
        public var ancillaLine: Int
    }

    /// κ of one wire cut as implemented: ½·Σ|coefficients| over the measured Paulis and the four
    /// preparations (6; Peng et al.'s six-preparation form has 4, at the price of two more settings).
    public static var wireCutKappa: Double {
        CircuitCutter.coefficients.reduce(0) { $0 + $1.reduce(0) { $0 + abs($1) } } / 2
    }

    /// Factor by which shots must grow to keep the standard error of the uncut circuit:
    /// Π over gate cuts of γ², times κ² per wire cut.
    public var samplingOverhead: Double {
        let gates = gateCuts.reduce(1.0) { $0 * $1.gamma * $1.gamma }
        return gates * pow(Self.wireCutKappa * Self.wireCutKappa, Double(cuts.count))
    }
}
