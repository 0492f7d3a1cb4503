/// A device's connectivity as an undirected graph with all-pairs hop distances, the input of
/// `SabreRouter`. A missing coupling map (trapped ions, simulators) is the complete graph.
public struct CouplingGraph: Sendable, Hashable {
    public let qubits: Int
    /// Sorted neighbours of each qubit.
    public let neighbours: [[Int]]
    /// Hop distance between two qubits; `unreachable` when they are not connected.
    let distance: [[Int]]

    static let unreachable = Int.max / 4

    public init(qubits: Int, edges: [[Int]]) throws(QuantumError) {
        guard qubits >= 1 else { throw QuantumError(.invalidArgument, "a coupling graph needs at least one qubit") }
        var adjacency = [Set<Int>](repeating: [], count: qubits)
        for edge in edges {
            guard edge.count == 2, edge[0] != edge[1], edge.allSatisfy({ $0 >= 0 && $0 < qubits }) else {
                throw QuantumError(.invalidArgument, "coupling edge \(edge) is not a pair of distinct qubits below \(qubits)")
            }
            adjacency[edge[0]].insert(edge[1])
            adjacency[edge[1]].insert(edge[0])
        }
        self.qubits = qubits
        neighbours = adjacency.map { $0.sorted() }
        var distance = [[Int]](repeating: [Int](repeating: Self.unreachable, count: qubits), count: qubits)
        for source in 0..<qubits {
            distance[source][source] = 0
            var queue = [source]
            var head = 0
            while head < queue.count {
                let q = queue[head]
                head += 1
                for n in neighbours[q] where distance[source][n] == Self.unreachable {
                    distance[source][n] = distance[source][q] + 1
                    queue.append(n)
                }
            }
        }
        self.distance = distance
    }

    /// All-to-all connectivity.
    public static func complete(qubits: Int) throws(QuantumError) -> CouplingGraph {
        var edges: [[Int]] = []
        for a in 0..<qubits { for b in (a + 1)..<qubits { edges.append([a, b]) } }
        return try CouplingGraph(qubits: qubits, edges: edges)
    }

    /// The device's graph: its coupling map, or complete when it has none.
    public init(device: QPUDeviceProfile) throws(QuantumError) {
        if let map = device.couplingMap {
            try self.init(qubits: device.qubits, edges: map)
        } else {
            self = try Self.complete(qubits: device.qubits)
        }
    }

    public func hops(_ a: Int, _ b: Int) -> Int { distance[a][b] }

    public func areAdjacent(_ a: Int, _ b: Int) -> Bool { distance[a][b] == 1 }

    /// The subgraph on `nodes` (renumbered 0..<nodes.count in that order).
    func subgraph(_ nodes: [Int]) throws(QuantumError) -> CouplingGraph {
        var index = [Int](repeating: -1, count: qubits)
        for (i, q) in nodes.enumerated() { index[q] = i }
        var edges: [[Int]] = []
        for (i, q) in nodes.enumerated() {
            for n in neighbours[q] where index[n] > i { edges.append([i, index[n]]) }
        }
        return try CouplingGraph(qubits: nodes.count, edges: edges)
    }

    /// A connected set of `size` qubits, grown breadth-first from the qubit whose ball of that size
    /// is most tightly connected (most internal edges): the part of the chip a circuit of that
    /// width is placed on. Nil when no connected component is large enough.
    func region(size: Int) -> [Int]? {
        var best: (nodes: [Int], edges: Int)?
        for start in 0..<qubits {
            var nodes = [start]
            var inside = Set([start])
            var head = 0
            while head < nodes.count, nodes.count < size {
                let candidates = neighbours[nodes[head]].filter { !inside.contains($0) }
                head += 1
                for n in candidates where nodes.count < size {
                    nodes.append(n)
                    inside.insert(n)
                }
            }
            guard nodes.count == size else { continue }
            var edges = 0
            for q in nodes { edges += neighbours[q].filter { inside.contains($0) }.count }
            if best == nil || edges > best!.edges { best = (nodes, edges) }
        }
        return best?.nodes
    }
}
