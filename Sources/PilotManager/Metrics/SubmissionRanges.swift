import PilotCore

/// When each submission's tasks became ready, by id range: what the metrics take a task's queue
/// wait from at its first binding. Each id is consumed once (bound, or ended without a binding),
/// and a range leaves once all its ids are consumed, so memory follows the submissions still
/// waiting, not the tasks ever submitted.
struct SubmissionRanges {
    private struct Range {
        var first: Int64
        var last: Int64
        var at: Double
        var remaining: Int64
    }

    /// Ordered by id; ranges never overlap (the reactor numbers tasks in one increasing sequence).
    private var ranges: [Range] = []
    /// Ranges before `head` are consumed; so are `exhausted` of those after it.
    private var head = 0
    private var exhausted = 0

    /// Ranges with ids not yet consumed.
    var count: Int { ranges.count - head - exhausted }

    mutating func add(first: Int64, last: Int64, at: Double) {
        guard last >= first else { return }
        let r = Range(first: first, last: last, at: at, remaining: last - first + 1)
        if let l = ranges.last, l.last >= first {
            // Not expected (ids increase), but an out-of-order range must not break the search.
            let i = ranges[head...].firstIndex { $0.first > first } ?? ranges.count
            ranges.insert(r, at: i)
        } else {
            ranges.append(r)
        }
    }

    /// The ready time of `id`'s submission, counting `id` as consumed; nil when no range holds it
    /// (a task restored after a restart, or one consumed already).
    @discardableResult
    mutating func consume(_ id: Int64) -> Double? {
        var lo = head, hi = ranges.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if ranges[mid].last < id {
                lo = mid + 1
            } else if ranges[mid].first > id {
                hi = mid - 1
            } else {
                guard ranges[mid].remaining > 0 else { return nil }
                ranges[mid].remaining -= 1
                let at = ranges[mid].at
                if ranges[mid].remaining == 0 {
                    exhausted += 1
                    compact()
                }
                return at
            }
        }
        return nil
    }

    private mutating func compact() {
        while head < ranges.count, ranges[head].remaining == 0 {
            head += 1
            exhausted -= 1
        }
        if exhausted > 64, exhausted * 2 > ranges.count - head {
            ranges = ranges[head...].filter { $0.remaining > 0 }
            head = 0
            exhausted = 0
        } else if head > 1024, head * 2 > ranges.count {
            ranges.removeFirst(head)
            head = 0
        }
    }
}
