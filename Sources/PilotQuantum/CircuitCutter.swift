/// Wire cutting of circuits too wide for a device.
///
/// Supported input: gates of any width up to `maxFragmentQubits` (one- and two-qubit gates are
/// the intended case), barriers (ignored) and final measurements (dropped: observables are given
/// separately). Mid-circuit measurement and reset are refused. Cut locations are chosen by a
/// greedy pass in gate order that grows fragments while they fit and, when a gate would join two
/// fragments that together are too wide, cuts the wire(s) of the fewest qubits so the gate can
/// be placed in one fragment. Fragments without cuts are packed together afterwards.
public enum CircuitCutter {
    /// 4^cuts reconstruction terms per observable; beyond this the plan is refused.
    public static let maxCuts = 10

    public static func cut(_ circuit: QuantumCircuit, observables: [String], maxFragmentQubits: Int, shots: Int = 0,
                           seed: UInt64? = nil, device: String = "ideal-sim") throws(QuantumError) -> CutPlan {
        var paulis: [PauliString] = []
        for label in observables { paulis.append(try PauliString(label)) }
        return try cut(circuit, observables: paulis, maxFragmentQubits: maxFragmentQubits, shots: shots, seed: seed,
                       device: device)
    }

    public static func cut(_ circuit: QuantumCircuit, observables: [PauliString], maxFragmentQubits: Int, shots: Int = 0,
                           seed: UInt64? = nil, device: String = "ideal-sim") throws(QuantumError) -> CutPlan {
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

        var partition = WirePartition(qubits: n)
        for gate in gates { try partition.place(gate.qubits, limit: maxFragmentQubits) }
        partition.packUncutGroups(limit: maxFragmentQubits)
        let layout = partition.layout()
        guard layout.cuts.count <= maxCuts else {
            throw QuantumError(.cutting,
                               "the circuit needs \(layout.cuts.count) wire cuts for fragments of \(maxFragmentQubits) qubits; at most \(maxCuts) are supported")
        }

        var fragments: [CutPlan.Fragment] = layout.fragments.map { lines in
            CutPlan.Fragment(circuit: QuantumCircuit(qubits: lines.count), originalQubits: lines.map(\.qubit),
                             incomingCuts: [], outgoingCuts: [], observableTerms: [])
        }
        for (gi, gate) in gates.enumerated() {
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
            let labels = uniqueLabels(fragment, cuts: cuts)
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
                prepared.operations += fragment.circuit.operations
                let job = QuantumJob(circuit: prepared.qasm(), shots: shots, seed: seeds?.next(), observables: labels,
                                     device: device)
                subexperiments.append(CutPlan.Subexperiment(fragment: f, preparations: preparations, job: job))
            }
        }
        return CutPlan(qubitCount: n, maxFragmentQubits: maxFragmentQubits, observables: resized.map(\.label),
                       cuts: cuts, fragments: fragments, subexperiments: subexperiments)
    }

    /// The fragment observable for requested observable `term` with Pauli digits `m` (0=I, 1=X,
    /// 2=Y, 3=Z, two bits per outgoing cut) on the cut-measured qubits.
    static func label(_ fragment: CutPlan.Fragment, term: Int, m: Int, cuts: [CutPlan.WireCut]) -> String {
        var chars = Array(fragment.observableTerms[term])
        let width = chars.count
        for (j, cutIndex) in fragment.outgoingCuts.enumerated() {
            let symbol: Character = ["I", "X", "Y", "Z"][(m >> (2 * j)) & 3]
            chars[width - 1 - cuts[cutIndex].upstreamQubit] = symbol
        }
        return String(chars)
    }

    private static func uniqueLabels(_ fragment: CutPlan.Fragment, cuts: [CutPlan.WireCut]) -> [String] {
        var seen = Set<String>()
        var labels: [String] = []
        for term in fragment.observableTerms.indices {
            for m in 0..<(1 << (2 * fragment.outgoingCuts.count)) {
                let l = label(fragment, term: term, m: m, cuts: cuts)
                if seen.insert(l).inserted { labels.append(l) }
            }
        }
        return labels
    }
}
