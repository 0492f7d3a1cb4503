import Foundation

/// The result of cutting a circuit into fragments: what was cut, the fragment circuits, and the
/// sub-experiments to run (each a ready `QuantumJob`), in the order `CircuitCutter.reconstruct`
/// expects their results.
///
/// Each wire cut uses the measure/prepare decomposition
///   ρ = ½ Σ_{M∈{I,X,Y,Z}} Tr(Mρ)·M,  with I = |0⟩⟨0|+|1⟩⟨1|, Z = |0⟩⟨0|−|1⟩⟨1|,
///   X = 2|+⟩⟨+| − I, Y = 2|+i⟩⟨+i| − I,
/// so the upstream fragment is measured in 3 bases (I and Z share the Z basis: 4 observables from
/// 3 settings) and the downstream fragment is prepared in 4 states (|0⟩, |1⟩, |+⟩, |+i⟩):
/// 4 + 3 = 7 distinct sub-experiment settings per cut instead of the 8 of the textbook form.
public struct CutPlan: Sendable, Codable, Hashable {
    public enum Preparation: String, Sendable, Codable, CaseIterable {
        case zero = "0", one = "1", plus = "+", plusI = "+i"
    }

    public struct WireCut: Sendable, Codable, Hashable {
        /// Original qubit whose wire is cut.
        public var qubit: Int
        /// The wire is cut just before this gate (index among the circuit's gates).
        public var beforeGate: Int
        public var upstreamFragment: Int
        public var upstreamQubit: Int
        public var downstreamFragment: Int
        public var downstreamQubit: Int
    }

    public struct Fragment: Sendable, Codable, Hashable {
        /// Fragment circuit without cut preparations.
        public var circuit: QuantumCircuit
        /// Original qubit carried by each fragment qubit.
        public var originalQubits: [Int]
        public var incomingCuts: [Int]
        public var outgoingCuts: [Int]
        /// Per requested observable: its restriction to this fragment (Qiskit order, identity on
        /// cut-measured qubits and ancilla lines).
        public var observableTerms: [String]
        /// Ends of gate cuts in this fragment; each has an ancilla line (original qubit −1).
        public var gateCutEnds: [GateCutEnd] = []
    }

    public struct Subexperiment: Sendable, Codable, Hashable {
        public var fragment: Int
        /// One per incoming cut of the fragment, in `incomingCuts` order.
        public var preparations: [Preparation]
        /// One per gate-cut end of the fragment, in `gateCutEnds` order.
        public var gateChoices: [GateChoice] = []
        public var job: QuantumJob
    }

    public var qubitCount: Int
    public var maxFragmentQubits: Int
    public var observables: [String]
    public var cuts: [WireCut]
    public var gateCuts: [GateCut] = []
    public var fragments: [Fragment]
    public var subexperiments: [Subexperiment]

    public static let preparationsPerCut = 4
    public static let measurementBasesPerCut = 3
    public static let observablesPerCut = 4

    public var jobs: [QuantumJob] { subexperiments.map(\.job) }
    /// Terms of the reconstruction sum for one observable: 4^wire cuts × 6^gate cuts.
    public var reconstructionTerms: Int {
        (1 << (2 * cuts.count)) * Int(pow(6.0, Double(gateCuts.count)))
    }
}

// Decoded by hand so plans stored before gate cuts existed (without their keys) still load.
extension CutPlan {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        qubitCount = try c.decode(Int.self, forKey: .qubitCount)
        maxFragmentQubits = try c.decode(Int.self, forKey: .maxFragmentQubits)
        observables = try c.decode([String].self, forKey: .observables)
        cuts = try c.decode([WireCut].self, forKey: .cuts)
        gateCuts = try c.decodeIfPresent([GateCut].self, forKey: .gateCuts) ?? []
        fragments = try c.decode([Fragment].self, forKey: .fragments)
        subexperiments = try c.decode([Subexperiment].self, forKey: .subexperiments)
    }
}

extension CutPlan.Fragment {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        circuit = try c.decode(QuantumCircuit.self, forKey: .circuit)
        originalQubits = try c.decode([Int].self, forKey: .originalQubits)
        incomingCuts = try c.decode([Int].self, forKey: .incomingCuts)
        outgoingCuts = try c.decode([Int].self, forKey: .outgoingCuts)
        observableTerms = try c.decode([String].self, forKey: .observableTerms)
        gateCutEnds = try c.decodeIfPresent([CutPlan.GateCutEnd].self, forKey: .gateCutEnds) ?? []
    }
}

extension CutPlan.Subexperiment {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        fragment = try c.decode(Int.self, forKey: .fragment)
        preparations = try c.decode([CutPlan.Preparation].self, forKey: .preparations)
        gateChoices = try c.decodeIfPresent([CutPlan.GateChoice].self, forKey: .gateChoices) ?? []
        job = try c.decode(QuantumJob.self, forKey: .job)
    }
}
