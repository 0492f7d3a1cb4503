/// Operations in circuit order with their dependencies: an operation depends on the previous
/// operation on each of its qubits and on the previous one writing the same clbit.
struct DependencyGraph {
    let operations: [QuantumOperation]
    let successors: [[Int]]
    let predecessorCounts: [Int]
    /// Operations with no predecessor.
    let roots: [Int]

    init<S: Sequence>(_ operations: S) where S.Element == QuantumOperation {
        let ops = Array(operations)
        var successors = [[Int]](repeating: [], count: ops.count)
        var counts = [Int](repeating: 0, count: ops.count)
        var lastOnQubit: [Int: Int] = [:]
        var lastOnClbit: [Int: Int] = [:]
        for (index, op) in ops.enumerated() {
            var predecessors = Set<Int>()
            for q in op.qubits { if let p = lastOnQubit[q] { predecessors.insert(p) } }
            if case .measure(_, let c) = op, let p = lastOnClbit[c] { predecessors.insert(p) }
            for p in predecessors.sorted() { successors[p].append(index) }
            counts[index] = predecessors.count
            for q in op.qubits { lastOnQubit[q] = index }
            if case .measure(_, let c) = op { lastOnClbit[c] = index }
        }
        self.operations = ops
        self.successors = successors
        predecessorCounts = counts
        roots = counts.indices.filter { counts[$0] == 0 }
    }

    /// Up to `limit` two-qubit gates that follow the front layer, breadth-first: the gates SABRE's
    /// look-ahead term looks at.
    func lookahead(from front: [Int], limit: Int) -> [Int] {
        var result: [Int] = []
        var seen = Set(front)
        var queue = front
        var head = 0
        while head < queue.count, result.count < limit {
            let node = queue[head]
            head += 1
            for next in successors[node] where seen.insert(next).inserted {
                if operations[next].twoQubitOperands != nil {
                    result.append(next)
                    if result.count == limit { break }
                }
                queue.append(next)
            }
        }
        return result
    }
}
