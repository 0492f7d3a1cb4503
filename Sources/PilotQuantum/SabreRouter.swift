/// SABRE placement and routing (Li, Ding & Xie, ASPLOS 2019): maps a circuit's logical qubits onto
/// a device's physical qubits and inserts SWAPs so every two-qubit gate acts on coupled qubits.
///
/// Routing walks the circuit's dependency graph front layer by front layer. Gates whose qubits are
/// coupled run at once; otherwise the SWAP on an edge next to the front layer that most lowers
/// the summed distance of the front layer plus `lookaheadWeight` × that of the next
/// `lookaheadSize` two-qubit gates is inserted, scaled by a decay that discourages moving the same
/// qubits again and again. Placement repeats forward and backward passes from random layouts
/// (the final layout of a pass over the reversed circuit is a good start for the forward one) and
/// keeps the layout whose forward pass needs the fewest SWAPs.
///
/// The circuit is placed on a connected region of `qubits + spareQubits` physical qubits (see
/// `CouplingGraph.region`) rather than the whole chip, so the routed circuit touches few qubits.
/// Three-qubit gates are first expanded into one- and two-qubit gates (qelib1's ccx and cswap).
public struct SabreRouter: Sendable {
    public var seed: UInt64
    /// Random initial layouts tried.
    public var layoutTrials: Int
    /// Forward-backward improvement passes per trial.
    public var layoutIterations: Int
    /// Physical qubits beyond the circuit's width the region may include.
    public var spareQubits: Int
    public var lookaheadSize = 20
    public var lookaheadWeight = 0.5
    public var decayDelta = 0.001
    public var decayReset = 5

    public init(seed: UInt64 = 1, layoutTrials: Int = 8, layoutIterations: Int = 3, spareQubits: Int = 2) {
        self.seed = seed
        self.layoutTrials = max(1, layoutTrials)
        self.layoutIterations = max(0, layoutIterations)
        self.spareQubits = max(0, spareQubits)
    }

    /// Routes `circuit` onto `device`; with `enforceBasisGates` the result is also lowered to the
    /// device's basis (see `BasisLowering`).
    public func route(_ circuit: QuantumCircuit, on device: QPUDeviceProfile) throws(QuantumError) -> RoutingResult {
        var result = try route(circuit, on: try CouplingGraph(device: device))
        if device.enforceBasisGates {
            result.circuit = try BasisLowering.lower(result.circuit, to: device.basisGates)
        }
        return result
    }

    public func route(_ circuit: QuantumCircuit, on graph: CouplingGraph) throws(QuantumError) -> RoutingResult {
        try circuit.validate()
        let n = circuit.qubitCount
        guard n <= graph.qubits else {
            throw QuantumError(.deviceMismatch, "circuit uses \(n) qubits but the device has \(graph.qubits)")
        }
        guard let region = graph.region(size: min(graph.qubits, n + spareQubits)) ?? graph.region(size: n) else {
            throw QuantumError(.deviceMismatch, "the device has no connected set of \(n) qubits")
        }
        let local = try graph.subgraph(region)
        let operations = Self.expandThreeQubitGates(circuit.operations)
        let forward = DependencyGraph(operations)
        let backward = DependencyGraph(operations.reversed())
        var rng = SeededGenerator(seed: seed, stream: 0x5AB7E)

        var best: (layout: [Int], swaps: Int)?
        for _ in 0..<layoutTrials {
            // layout[logical] = region index; logicals ≥ n are the idle spare qubits.
            var layout = Array(0..<region.count)
            for i in stride(from: layout.count - 1, to: 0, by: -1) { layout.swapAt(i, rng.nextInt(below: i + 1)) }
            for _ in 0..<layoutIterations {
                layout = pass(forward, local, layout, &rng, emit: false).finalLayout
                layout = pass(backward, local, layout, &rng, emit: false).finalLayout
            }
            let swaps = pass(forward, local, layout, &rng, emit: false).swaps
            if best == nil || swaps < best!.swaps { best = (layout, swaps) }
        }
        let initial = best!.layout
        let routed = pass(forward, local, initial, &rng, emit: true)

        var output = QuantumCircuit(quantumRegisters: [.init(name: "q", size: graph.qubits)],
                                    classicalRegisters: circuit.classicalRegisters, globalPhase: circuit.globalPhase)
        output.operations = routed.operations.map { $0.mapQubits { region[$0] } }
        return RoutingResult(circuit: output, initialLayout: initial.prefix(n).map { region[$0] },
                             finalLayout: routed.finalLayout.prefix(n).map { region[$0] }, swapCount: routed.swaps,
                             region: region)
    }

    struct Pass {
        var operations: [QuantumOperation]
        var finalLayout: [Int]
        var swaps: Int
    }

    /// One routing pass from `initial` (logical → physical over the region).
    func pass(_ dag: DependencyGraph, _ graph: CouplingGraph, _ initial: [Int], _ rng: inout SeededGenerator,
              emit: Bool) -> Pass {
        var l2p = initial
        var p2l = [Int](repeating: 0, count: l2p.count)
        for (l, p) in l2p.enumerated() { p2l[p] = l }
        var remaining = dag.predecessorCounts
        var front = dag.roots
        var out: [QuantumOperation] = []
        var swaps = 0
        var decay = [Double](repeating: 1, count: l2p.count)
        var swapsSinceProgress = 0
        var swapsSinceReset = 0
        let valveLimit = 10 * max(2, graph.qubits)

        func applySwap(_ a: Int, _ b: Int) {
            let (la, lb) = (p2l[a], p2l[b])
            p2l[a] = lb
            p2l[b] = la
            l2p[la] = b
            l2p[lb] = a
            swaps += 1
            if emit { out.append(.gate(QuantumGate(.swap, [a, b]))) }
        }

        while !front.isEmpty {
            var ready: [Int] = []
            var blocked: [Int] = []
            for node in front {
                if let pair = dag.operations[node].twoQubitOperands, !graph.areAdjacent(l2p[pair.0], l2p[pair.1]) {
                    blocked.append(node)
                } else {
                    ready.append(node)
                }
            }
            if !ready.isEmpty {
                for node in ready {
                    if emit { out.append(dag.operations[node].mapQubits { l2p[$0] }) }
                    for next in dag.successors[node] {
                        remaining[next] -= 1
                        if remaining[next] == 0 { blocked.append(next) }
                    }
                }
                front = blocked
                for i in decay.indices { decay[i] = 1 }
                swapsSinceProgress = 0
                swapsSinceReset = 0
                continue
            }
            if swapsSinceProgress >= valveLimit {
                // Release valve: walk the closest front gate's first qubit to its partner.
                let node = front.min { a, b in
                    let (a0, a1) = dag.operations[a].twoQubitOperands!
                    let (b0, b1) = dag.operations[b].twoQubitOperands!
                    return graph.hops(l2p[a0], l2p[a1]) < graph.hops(l2p[b0], l2p[b1])
                }!
                let (q0, q1) = dag.operations[node].twoQubitOperands!
                while !graph.areAdjacent(l2p[q0], l2p[q1]) {
                    let here = l2p[q0]
                    let step = graph.neighbours[here].first { graph.hops($0, l2p[q1]) == graph.hops(here, l2p[q1]) - 1 }!
                    applySwap(here, step)
                }
                swapsSinceProgress = 0
                continue
            }
            let lookahead = dag.lookahead(from: front, limit: lookaheadSize)
            var candidates: [(Int, Int)] = []
            for node in front {
                let (a, b) = dag.operations[node].twoQubitOperands!
                for p in [l2p[a], l2p[b]] {
                    for n in graph.neighbours[p] where !candidates.contains(where: { $0 == (min(p, n), max(p, n)) }) {
                        candidates.append((min(p, n), max(p, n)))
                    }
                }
            }
            var bestScore = Double.infinity
            var bestSwaps: [(Int, Int)] = []
            for (a, b) in candidates {
                // Score with a and b exchanged, without touching the layout.
                func position(_ logical: Int) -> Int {
                    let p = l2p[logical]
                    return p == a ? b : (p == b ? a : p)
                }
                var frontCost = 0.0
                for node in front {
                    let (x, y) = dag.operations[node].twoQubitOperands!
                    frontCost += Double(graph.hops(position(x), position(y)))
                }
                var score = frontCost / Double(front.count)
                if !lookahead.isEmpty {
                    var ahead = 0.0
                    for node in lookahead {
                        let (x, y) = dag.operations[node].twoQubitOperands!
                        ahead += Double(graph.hops(position(x), position(y)))
                    }
                    score += lookaheadWeight * ahead / Double(lookahead.count)
                }
                score *= max(decay[a], decay[b])
                if score < bestScore - 1e-12 {
                    bestScore = score
                    bestSwaps = [(a, b)]
                } else if abs(score - bestScore) <= 1e-12 {
                    bestSwaps.append((a, b))
                }
            }
            let (a, b) = bestSwaps[rng.nextInt(below: bestSwaps.count)]
            applySwap(a, b)
            swapsSinceProgress += 1
            swapsSinceReset += 1
            if swapsSinceReset >= decayReset {
                for i in decay.indices { decay[i] = 1 }
                swapsSinceReset = 0
            } else {
                decay[a] += decayDelta
                decay[b] += decayDelta
            }
        }
        return Pass(operations: out, finalLayout: l2p, swaps: swaps)
    }

    /// ccx and cswap as one- and two-qubit gates (qelib1.inc's definitions, exact).
    static func expandThreeQubitGates(_ operations: [QuantumOperation]) -> [QuantumOperation] {
        var out: [QuantumOperation] = []
        func ccx(_ a: Int, _ b: Int, _ c: Int) {
            let steps: [(GateKind, [Int])] = [
                (.h, [c]), (.cx, [b, c]), (.tdg, [c]), (.cx, [a, c]), (.t, [c]), (.cx, [b, c]), (.tdg, [c]),
                (.cx, [a, c]), (.t, [b]), (.t, [c]), (.h, [c]), (.cx, [a, b]), (.t, [a]), (.tdg, [b]), (.cx, [a, b]),
            ]
            for (kind, qs) in steps { out.append(.gate(QuantumGate(kind, qs))) }
        }
        for op in operations {
            guard case .gate(let g) = op, g.qubits.count == 3 else {
                out.append(op)
                continue
            }
            let (a, b, c) = (g.qubits[0], g.qubits[1], g.qubits[2])
            if g.kind == .ccx {
                ccx(a, b, c)
            } else {
                out.append(.gate(QuantumGate(.cx, [c, b])))
                ccx(a, b, c)
                out.append(.gate(QuantumGate(.cx, [c, b])))
            }
        }
        return out
    }
}
