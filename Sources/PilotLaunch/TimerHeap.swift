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
    var count: Int { entries.count }
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

    /// Entries of tasks that ended early stay until their deadline; with long limits and short
    /// tasks they would pile up, so the reaper drops them in bulk (amortised O(1) per entry).
    mutating func keepOnly(_ isLive: (Entry) -> Bool) {
        entries.removeAll { !isLive($0) }
        for index in stride(from: entries.count / 2 - 1, through: 0, by: -1) { siftDown(from: index) }
    }

    /// Removes and returns every entry due at `now`.
    mutating func popDue(_ now: UInt64) -> [Entry] {
        var due: [Entry] = []
        while let first = entries.first, first.deadline <= now {
            due.append(first)
            let last = entries.removeLast()
            guard !entries.isEmpty else { break }
            entries[0] = last
            siftDown(from: 0)
        }
        return due
    }

    private mutating func siftDown(from start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < entries.count, entries[left].deadline < entries[smallest].deadline { smallest = left }
            if right < entries.count, entries[right].deadline < entries[smallest].deadline { smallest = right }
            guard smallest != parent else { return }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
