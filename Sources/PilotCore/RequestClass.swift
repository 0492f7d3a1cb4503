import DequeModule

/// Ready tasks with identical request, priority and time request share one FIFO: if the head of a
/// class does not fit, nothing in it does, so a pass skips the whole class in O(1).
struct RequestClass: Sendable {
    struct Key: Hashable, Sendable {
        var request: ResourceRequest
        var priority: Int
        var time: Double?
    }
    let key: Key
    var queue: Deque<(id: Int64, seq: UInt64)> = []
    /// Whether some agent seen so far could ever hold it; refreshed when agents arrive.
    var couldEverFit = true
}
