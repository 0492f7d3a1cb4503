/// Greedy assignment of wire segments to fragments (see `CircuitCutter`). A segment is a piece
/// of one qubit's wire between cuts; fragments are groups of segments kept in a union-find.
struct WirePartition {
    struct Placement: Hashable {
        var fragment: Int
        var line: Int
    }

    struct Cut {
        var qubit: Int
        var beforeGate: Int
        var from: Int
        var to: Int
    }

    struct Layout {
        struct Line {
            var qubit: Int
        }
        struct CutPlacement {
            var qubit: Int
            var beforeGate: Int
            var upstream: Placement
            var downstream: Placement
        }
        struct GateCutPlacement {
            var gate: Int
            /// Per side of the gate: where its qubit is, and its ancilla line.
            var sides: [Placement]
            var ancillas: [Placement]
        }
        var fragments: [[Line]] = []
        var gatePlacement: [(fragment: Int, qubits: [Int])] = []
        var finalPlacement: [Placement] = []
        var cuts: [CutPlacement] = []
        var gateCuts: [GateCutPlacement] = []
    }

    struct GateCut {
        var gate: Int
        var segments: [Int]
        var ancillas: [Int]
    }

    private var segmentQubit: [Int] = []
    private var parent: [Int] = []
    private var size: [Int] = []
    private var current: [Int] = []
    private var gateSegments: [[Int]] = []
    private var cuts: [Cut] = []
    private var gateCuts: [GateCut] = []
    /// Segments standing for ancilla lines carry this instead of a qubit.
    static let ancillaQubit = -1

    /// Lines each fragment keeps free when gates may be cut: a gate cut needs an ancilla line on
    /// both sides, and fragments grown to the limit would leave no room for one.
    let reserve: Int

    init(qubits: Int, reserve: Int = 0) {
        self.reserve = reserve
        for q in 0..<qubits { current.append(newSegment(q)) }
    }

    private mutating func newSegment(_ qubit: Int) -> Int {
        let id = segmentQubit.count
        segmentQubit.append(qubit)
        parent.append(id)
        size.append(1)
        return id
    }

    private mutating func find(_ s: Int) -> Int {
        var root = s
        while parent[root] != root { root = parent[root] }
        var node = s
        while parent[node] != root {
            let next = parent[node]
            parent[node] = root
            node = next
        }
        return root
    }

    private mutating func union(_ a: Int, _ b: Int) {
        let ra = find(a), rb = find(b)
        guard ra != rb else { return }
        let (big, small) = size[ra] >= size[rb] ? (ra, rb) : (rb, ra)
        parent[small] = big
        size[big] += size[small]
    }

    /// A segment alone in its group carries only one-qubit gates, so it can join any fragment
    /// whole, without a cut.
    private mutating func isFresh(_ s: Int) -> Bool {
        size[find(s)] == 1
    }

    /// Places a gate. A `cuttable` two-qubit gate that would otherwise need wire cuts is cut
    /// itself when each side's fragment has room for the ancilla line the cut needs.
    mutating func place(_ qubits: [Int], limit: Int, cuttable: Bool = false) throws(QuantumError) {
        guard qubits.count <= limit else {
            throw QuantumError(.cutting, "a \(qubits.count)-qubit gate cannot fit in fragments of \(limit) qubits")
        }
        let gateIndex = gateSegments.count
        let segments = qubits.map { current[$0] }
        var roots: [Int] = []
        for s in segments {
            let r = find(s)
            if !roots.contains(r) { roots.append(r) }
        }
        let total = roots.reduce(0) { $0 + size[$1] }
        if roots.count > 1 && total <= limit - reserve {
            for s in segments.dropFirst() { union(segments[0], s) }
        } else if roots.count > 1 {
            // Pick the host fragment needing the fewest cuts, then the smallest result.
            var best: (root: Int, cuts: Int, size: Int)?
            for r in roots {
                var newSize = size[r]
                var needed = 0
                for s in segments where find(s) != r {
                    newSize += 1
                    if !isFresh(s) { needed += 1 }
                }
                guard newSize <= limit - reserve else { continue }
                if best == nil || needed < best!.cuts || (needed == best!.cuts && newSize < best!.size) {
                    best = (r, needed, newSize)
                }
            }
            if cuttable, qubits.count == 2, roots.count == 2, best.map({ $0.cuts > 0 }) ?? true,
               roots.allSatisfy({ size[$0] + 1 <= limit }) {
                let ancillas = segments.map { s -> Int in
                    let a = newSegment(Self.ancillaQubit)
                    union(s, a)
                    return a
                }
                gateCuts.append(GateCut(gate: gateIndex, segments: segments, ancillas: ancillas))
                gateSegments.append(segments)
                return
            }
            var host = best?.root
            for (q, s) in zip(qubits, segments) {
                if let h = host, find(s) == find(h) { continue }
                var joining = s
                if !isFresh(s) {
                    joining = newSegment(q)
                    cuts.append(Cut(qubit: q, beforeGate: gateIndex, from: s, to: joining))
                    current[q] = joining
                }
                if let h = host { union(h, joining) } else { host = joining }
            }
        }
        gateSegments.append(qubits.map { current[$0] })
    }

    /// Merges fragments that take part in no cut (first fit, largest first): they are
    /// independent, so running them side by side saves jobs without adding terms.
    mutating func packUncutGroups(limit: Int) {
        var linked = Set<Int>()
        for c in cuts {
            linked.insert(find(c.from))
            linked.insert(find(c.to))
        }
        for g in gateCuts {
            for s in g.segments { linked.insert(find(s)) }
        }
        var free: [Int] = []
        for s in segmentQubit.indices where find(s) == s && !linked.contains(s) { free.append(s) }
        free.sort { size[$0] != size[$1] ? size[$0] > size[$1] : $0 < $1 }
        var bins: [Int] = []
        for r in free {
            if let b = bins.firstIndex(where: { size[find($0)] + size[r] <= limit }) {
                union(bins[b], r)
            } else {
                bins.append(r)
            }
        }
    }

    /// Fragments, local qubit lines and cut endpoints. A cut whose two ends ended up in the same
    /// fragment is undone: both segments become one line.
    mutating func layout() -> Layout {
        var line = Array(segmentQubit.indices)
        func lineRoot(_ s: Int) -> Int {
            var r = s
            while line[r] != r { r = line[r] }
            return r
        }
        var external: [Cut] = []
        for c in cuts {
            if find(c.from) == find(c.to) {
                line[lineRoot(c.to)] = lineRoot(c.from)
            } else {
                external.append(c)
            }
        }
        // Fragments ordered by their smallest segment id: deterministic and roughly by qubit.
        var fragmentOf: [Int: Int] = [:]
        var members: [[Int]] = []
        for s in segmentQubit.indices {
            let r = find(s)
            if fragmentOf[r] == nil {
                fragmentOf[r] = members.count
                members.append([])
            }
            members[fragmentOf[r]!].append(s)
        }
        var placement = [Placement](repeating: Placement(fragment: 0, line: 0), count: segmentQubit.count)
        var result = Layout()
        for (f, segs) in members.enumerated() {
            var roots: [Int] = []
            for s in segs where !roots.contains(lineRoot(s)) { roots.append(lineRoot(s)) }
            // Ancilla lines go last, after the fragment's qubits.
            func key(_ s: Int) -> (Int, Int) {
                (segmentQubit[s] == Self.ancillaQubit ? Int.max : segmentQubit[s], s)
            }
            roots.sort { key($0) < key($1) }
            result.fragments.append(roots.map { Layout.Line(qubit: segmentQubit[$0]) })
            for s in segs {
                placement[s] = Placement(fragment: f, line: roots.firstIndex(of: lineRoot(s))!)
            }
        }
        result.gatePlacement = gateSegments.map { segs in
            (placement[segs[0]].fragment, segs.map { placement[$0].line })
        }
        result.finalPlacement = current.map { placement[$0] }
        result.gateCuts = gateCuts.map {
            Layout.GateCutPlacement(gate: $0.gate, sides: $0.segments.map { placement[$0] },
                                    ancillas: $0.ancillas.map { placement[$0] })
        }
        result.cuts = external.map {
            Layout.CutPlacement(qubit: $0.qubit, beforeGate: $0.beforeGate, upstream: placement[$0.from],
                                downstream: placement[$0.to])
        }
        return result
    }
}
