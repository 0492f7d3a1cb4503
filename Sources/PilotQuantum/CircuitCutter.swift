import Foundation

/// Wire cutting of circuits too wide for a device.
///
/// Supported input: gates of any width up to `maxFragmentQubits` (one- and two-qubit gates are
/// the intended case), barriers (ignored) and final measurements (dropped: observables are given
/// separately). Mid-circuit measurement and reset are refused. Cut locations are chosen by a
/// greedy pass in gate order that grows fragments while they fit and, when a gate would join two
/// fragments that together are too wide, cuts the wire(s) of the fewest qubits so the gate can
/// be placed in one fragment. Fragments without cuts are packed together afterwards.
///
/// With `cutGates`, a CZ, CX, CP (cu1) or RZZ that would need wire cuts is cut itself when both
/// fragments have room for one ancilla line each (see `CutPlan.GateCut`): 6 terms and γ² = 9 for
/// CZ/CX instead of a wire cut's 4 terms per cut wire. Fragments then grow only to one line below
/// the limit, keeping that line for an ancilla. Wire and gate cuts mix freely in one plan.
public enum CircuitCutter {
    /// 4^cuts reconstruction terms per observable; beyond this the plan is refused.
    public static let maxCuts = 10
    /// Reconstruction terms (4^wire cuts × 6^gate cuts) per observable; beyond this the plan is refused.
    public static let maxReconstructionTerms = 1 << 20

    public static func cut(_ circuit: QuantumCircuit, observables: [String], maxFragmentQubits: Int, shots: Int = 0,
                           seed: UInt64? = nil, device: String = "ideal-sim",
                           cutGates: Bool = false) throws(QuantumError) -> CutPlan {
        var paulis: [PauliString] = []
        for label in observables { paulis.append(try PauliString(label)) }
        return try cut(circuit, observables: paulis, maxFragmentQubits: maxFragmentQubits, shots: shots, seed: seed,
                       device: device, cutGates: cutGates)
    }

    public static func cut(_ circuit: QuantumCircuit, observables: [PauliString], maxFragmentQubits: Int, shots: Int = 0,
                           seed: UInt64? = nil, device: String = "ideal-sim",
                           cutGates: Bool = false) throws(QuantumError) -> CutPlan {
        try circuit.validate()
        guard maxFragmentQubits >= 1 else { throw QuantumError(.cutting, "maxFragmentQubits must be at least 1") }
        guard shots >= 0 else { throw QuantumError(.cutting, "shots must be non-negative") }
        guard !observables.isEmpty else { throw QuantumError(.cutting, "cutting needs at least one observable") }
        let analysis = MeasurementAnalysis(circuit)
        guard analysis.isTerminal else {
            throw QuantumError(.cutting, "circuits with mid-circuit measurement or reset cannot be cut")
        }
        let n = circuit.qubitCount
        var resized: [PauliString] = []
        for p in observables { resized.append(try p.resized(to: n)) }
        let gates = analysis.gates

        var partition = WirePartition(qubits: n, reserve: cutGates ? 1 : 0)
        for gate in gates {
            try partition.place(gate.qubits, limit: maxFragmentQubits,
                                cuttable: cutGates && CutPlan.GateCut.isCuttable(gate))
        }
        partition.packUncutGroups(limit: maxFragmentQubits)
        let layout = partition.layout()
        guard layout.cuts.count <= maxCuts else {
            throw QuantumError(.cutting,
                               "the circuit needs \(layout.cuts.count) wire cuts for fragments of \(maxFragmentQubits) qubits; at most \(maxCuts) are supported")
        }
        guard pow(4.0, Double(layout.cuts.count)) * pow(6.0, Double(layout.gateCuts.count)) <= Double(maxReconstructionTerms) else {
            throw QuantumError(.cutting,
                               "the circuit needs \(layout.cuts.count) wire cuts and \(layout.gateCuts.count) gate cuts for fragments of \(maxFragmentQubits) qubits; 4^wire × 6^gate terms must stay within \(maxReconstructionTerms)")
        }

        var fragments: [CutPlan.Fragment] = layout.fragments.map { lines in
            CutPlan.Fragment(circuit: QuantumCircuit(qubits: lines.count), originalQubits: lines.map(\.qubit),
                             incomingCuts: [], outgoingCuts: [], observableTerms: [])
        }
        var gateCuts: [CutPlan.GateCut] = []
        var cutOfGate: [Int: Int] = [:]
        for (index, g) in layout.gateCuts.enumerated() {
            let gate = gates[g.gate]
            cutOfGate[g.gate] = index
            gateCuts.append(CutPlan.GateCut(gate: g.gate, kind: gate.kind, qubits: gate.qubits,
                                            theta: CutPlan.GateCut.theta(of: gate), fragments: g.sides.map(\.fragment),
                                            lines: g.sides.map(\.line), ancillaLines: g.ancillas.map(\.line)))
        }
        for (gi, gate) in gates.enumerated() {
            if let index = cutOfGate[gi] {
                let cut = gateCuts[index]
                for side in 0..<2 {
                    let f = cut.fragments[side]
                    let local = CutPlan.GateCut.localGates(of: gate, side: side, line: cut.lines[side])
                    for g in local.before { fragments[f].circuit.append(g.kind, g.qubits, g.parameters) }
                    fragments[f].gateCutEnds.append(CutPlan.GateCutEnd(
                        cut: index, side: side, operationIndex: fragments[f].circuit.operations.count,
                        line: cut.lines[side], ancillaLine: cut.ancillaLines[side]))
                    for g in local.after { fragments[f].circuit.append(g.kind, g.qubits, g.parameters) }
                }
                continue
            }
            let place = layout.gatePlacement[gi]
            fragments[place.fragment].circuit.append(gate.kind, place.qubits, gate.parameters)
        }
        var cuts: [CutPlan.WireCut] = []
        for (ci, c) in layout.cuts.enumerated() {
            cuts.append(CutPlan.WireCut(qubit: c.qubit, beforeGate: c.beforeGate,
                                        upstreamFragment: c.upstream.fragment, upstreamQubit: c.upstream.line,
                                        downstreamFragment: c.downstream.fragment, downstreamQubit: c.downstream.line))
            fragments[c.upstream.fragment].outgoingCuts.append(ci)
            fragments[c.downstream.fragment].incomingCuts.append(ci)
        }
        for f in fragments.indices {
            fragments[f].observableTerms = resized.map { pauli in
                var ops = [PauliString.Operator](repeating: .i, count: fragments[f].originalQubits.count)
                for q in 0..<n where layout.finalPlacement[q].fragment == f {
                    ops[layout.finalPlacement[q].line] = pauli[q]
                }
                return PauliString(operators: ops).label
            }
        }

        var subexperiments: [CutPlan.Subexperiment] = []
        var seeds = seed.map { SeededGenerator(seed: $0, stream: 0xC07) }
        for (f, fragment) in fragments.enumerated() {
            for g in 0..<choiceCombinations(fragment) {
                let choices = gateChoices(fragment, g)
                let labels = uniqueLabels(fragment, cuts: cuts, choices: choices)
                for p in 0..<(1 << (2 * fragment.incomingCuts.count)) {
                    let preparations = fragment.incomingCuts.indices.map { j in
                        CutPlan.Preparation.allCases[(p >> (2 * j)) & 3]
                    }
                    var prepared = QuantumCircuit(qubits: fragment.originalQubits.count)
                    for (j, cutIndex) in fragment.incomingCuts.enumerated() {
                        let q = cuts[cutIndex].downstreamQubit
                        switch preparations[j] {
                        case .zero: break
                        case .one: prepared.append(.x, [q])
                        case .plus: prepared.append(.h, [q])
                        case .plusI:
                            prepared.append(.h, [q])
                            prepared.append(.s, [q])
                        }
                    }
                    prepared.operations += withChoices(fragment, choices)
                    let job = QuantumJob(circuit: prepared.qasm(), shots: shots, seed: seeds?.next(), observables: labels,
                                         device: device)
                    subexperiments.append(CutPlan.Subexperiment(fragment: f, preparations: preparations,
                                                                gateChoices: choices, job: job))
                }
            }
        }
        return CutPlan(qubitCount: n, maxFragmentQubits: maxFragmentQubits, observables: resized.map(\.label),
                       cuts: cuts, gateCuts: gateCuts, fragments: fragments, subexperiments: subexperiments)
    }

    /// Settings of a fragment's gate-cut ends: 5 local choices each. Sub-experiments of a fragment
    /// run through its preparations first, then these (`preparation + preparations × setting`).
    static func choiceCombinations(_ fragment: CutPlan.Fragment) -> Int {
        Int(pow(Double(CutPlan.GateChoice.allCases.count), Double(fragment.gateCutEnds.count)))
    }

    static func gateChoices(_ fragment: CutPlan.Fragment, _ setting: Int) -> [CutPlan.GateChoice] {
        var rest = setting
        return fragment.gateCutEnds.map { _ in
            let choice = CutPlan.GateChoice.allCases[rest % CutPlan.GateChoice.allCases.count]
            rest /= CutPlan.GateChoice.allCases.count
            return choice
        }
    }

    static func setting(of choices: [CutPlan.GateChoice]) -> Int {
        var value = 0
        for choice in choices.reversed() {
            value = value * CutPlan.GateChoice.allCases.count + CutPlan.GateChoice.allCases.firstIndex(of: choice)!
        }
        return value
    }

    /// The fragment's operations with each gate-cut end's local choice inserted at its place.
    static func withChoices(_ fragment: CutPlan.Fragment, _ choices: [CutPlan.GateChoice]) -> [QuantumOperation] {
        guard !fragment.gateCutEnds.isEmpty else { return fragment.circuit.operations }
        var result: [QuantumOperation] = []
        var ends = Array(zip(fragment.gateCutEnds, choices)).sorted { $0.0.operationIndex < $1.0.operationIndex }[...]
        for (index, op) in fragment.circuit.operations.enumerated() {
            while let first = ends.first, first.0.operationIndex == index {
                let (end, choice) = first
                result += CutPlan.GateCut.gates(for: choice, line: end.line, ancilla: end.ancillaLine).map { .gate($0) }
                ends = ends.dropFirst()
            }
            result.append(op)
        }
        for (end, choice) in ends {
            result += CutPlan.GateCut.gates(for: choice, line: end.line, ancilla: end.ancillaLine).map { .gate($0) }
        }
        return result
    }

    /// The fragment observable for requested observable `term` with Pauli digits `m` (0=I, 1=X,
    /// 2=Y, 3=Z, two bits per outgoing cut) on the cut-measured qubits.
    /// A gate-cut end measured in this setting adds Z on its ancilla line: the outcome's sign.
    static func label(_ fragment: CutPlan.Fragment, term: Int, m: Int, cuts: [CutPlan.WireCut],
                      choices: [CutPlan.GateChoice] = []) -> String {
        var chars = Array(fragment.observableTerms[term])
        let width = chars.count
        for (j, cutIndex) in fragment.outgoingCuts.enumerated() {
            let symbol: Character = ["I", "X", "Y", "Z"][(m >> (2 * j)) & 3]
            chars[width - 1 - cuts[cutIndex].upstreamQubit] = symbol
        }
        for (end, choice) in zip(fragment.gateCutEnds, choices) where choice == .measure {
            chars[width - 1 - end.ancillaLine] = "Z"
        }
        return String(chars)
    }

    private static func uniqueLabels(_ fragment: CutPlan.Fragment, cuts: [CutPlan.WireCut],
                                     choices: [CutPlan.GateChoice]) -> [String] {
        var seen = Set<String>()
        var labels: [String] = []
        for term in fragment.observableTerms.indices {
            for m in 0..<(1 << (2 * fragment.outgoingCuts.count)) {
                let l = label(fragment, term: term, m: m, cuts: cuts, choices: choices)
                if seen.insert(l).inserted { labels.append(l) }
            }
        }
        return labels
    }
}
