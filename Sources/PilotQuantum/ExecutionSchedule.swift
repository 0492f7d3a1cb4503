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
    /// How many postponed operations a batch may look past; bounds the scheduling cost to
    /// O(operations × window) even for long chains of dependent gates.
    static let lookahead = 64

    private struct Entry {
        var op: KernelOperation
        var mask: UInt64
        var isLow: Bool
    }

    static func make(_ ops: [KernelOperation], lowQubits: Int) -> [Step] {
        let lowMask: UInt64 = (1 << UInt64(lowQubits)) - 1
        var items = ops.map { op -> Entry in
            let mask = op.qubits.reduce(UInt64(0)) { $0 | (1 << UInt64($1)) }
            return Entry(op: op, mask: mask, isLow: mask & ~lowMask == 0)
        }
        var steps: [Step] = []
        var start = 0
        while start < items.count {
            var batch: [KernelOperation] = []
            var deferred: [Int] = []
            var blocked: UInt64 = 0
            var i = start
            while i < items.count {
                let entry = items[i]
                if entry.isLow && entry.mask & blocked == 0 {
                    batch.append(entry.op)
                } else {
                    deferred.append(i)
                    blocked |= entry.mask
                }
                i += 1
                if deferred.count >= lookahead || blocked & lowMask == lowMask { break }
            }
            if batch.isEmpty {
                steps.append(.full(items[start].op))
                start += 1
                continue
            }
            steps.append(.batch(batch))
            // Keep the postponed operations, in order, just before the unscanned rest.
            var write = i
            for d in deferred.reversed() {
                write -= 1
                items[write] = items[d]
            }
            start = write
        }
        return steps
    }
}
