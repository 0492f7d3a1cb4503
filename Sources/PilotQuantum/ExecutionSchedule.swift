/// Cache blocking: consecutive operations that only touch qubits below `lowQubits` are run
/// block by block (2^lowQubits amplitudes at a time, which fit in L2), so a whole batch costs one
/// pass over memory. Operations on disjoint qubits commute, so low operations may be pulled ahead
/// of high ones that do not share a qubit with them; blocks are also the unit of parallel work.
enum ExecutionSchedule {
    enum Step {
        case full(KernelOperation)
        case batch([KernelOperation])
    }

    /// 2^14 amplitudes = 256 KiB per block.
    static let blockQubits = 14

    static func make(_ ops: [KernelOperation], lowQubits: Int) -> [Step] {
        var steps: [Step] = []
        var remaining = ops.map { (op: $0, qubits: $0.qubits) }
        let limit = lowQubits
        while !remaining.isEmpty {
            var batch: [KernelOperation] = []
            var deferred: [(op: KernelOperation, qubits: [Int])] = []
            var blocked: UInt64 = 0
            for entry in remaining {
                let mask = entry.qubits.reduce(UInt64(0)) { $0 | (1 << UInt64($1)) }
                if entry.qubits.allSatisfy({ $0 < limit }) && mask & blocked == 0 {
                    batch.append(entry.op)
                } else {
                    deferred.append(entry)
                    blocked |= mask
                }
            }
            if batch.isEmpty {
                steps.append(.full(remaining[0].op))
                remaining.removeFirst()
            } else {
                steps.append(.batch(batch))
                remaining = deferred
            }
        }
        return steps
    }
}
