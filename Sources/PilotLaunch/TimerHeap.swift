/// Pending time-limit actions, earliest first. One heap on the reaper thread instead of a
/// timer or Task per process keeps thousands of limited tasks cheap.
struct TimerHeap {
    enum Action { case terminate, kill }

    struct Entry {
        var deadline: UInt64  // CLOCK_MONOTONIC ns
        var token: UInt64
        var serial: UInt64     // which spawn of `token` this belongs to; tokens may be reused
        var action: Action
    }

    private var entries: [Entry] = []

    var isEmpty: Bool { entries.isEmpty }
    var earliest: UInt64? { entries.first?.deadline }

    mutating func push(_ entry: Entry) {
        entries.append(entry)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].deadline < entries[parent].deadline else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns every entry due at `now`.
    mutating func popDue(_ now: UInt64) -> [Entry] {
        var due: [Entry] = []
        while let first = entries.first, first.deadline <= now {
            due.append(first)
            let last = entries.removeLast()
            guard !entries.isEmpty else { break }
            entries[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < entries.count, entries[left].deadline < entries[smallest].deadline { smallest = left }
                if right < entries.count, entries[right].deadline < entries[smallest].deadline { smallest = right }
                guard smallest != parent else { break }
                entries.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return due
    }
}
