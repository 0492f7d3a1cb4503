/// One pilot (Slurm job) as stored; the state is the manager's `PilotState` raw value.
public struct PilotRow: Sendable, Hashable {
    public var id: String
    public var slurmJobID: Int64?
    public var profile: String
    public var state: String
    public var reason: String?
    public var nodeCount: Int
    public var nodes: [String]
    public var submittedAt: Double
    public var startedAt: Double?
    public var endedAt: Double?
    public var walltimeEnd: Double?
    /// The submission as JSON (profile path and overrides), kept for resubmission and diagnosis.
    public var request: String?
    /// The allocation queue that submitted it, if any.
    public var queue: Int?

    public init(id: String, slurmJobID: Int64?, profile: String, state: String, reason: String?, nodeCount: Int,
                nodes: [String], submittedAt: Double, startedAt: Double? = nil, endedAt: Double? = nil,
                walltimeEnd: Double? = nil, request: String? = nil, queue: Int? = nil) {
        self.id = id; self.slurmJobID = slurmJobID; self.profile = profile; self.state = state; self.reason = reason
        self.nodeCount = nodeCount; self.nodes = nodes; self.submittedAt = submittedAt; self.startedAt = startedAt
        self.endedAt = endedAt; self.walltimeEnd = walltimeEnd; self.request = request; self.queue = queue
    }
}

/// An allocation queue (autoscaler): submits pilots of one profile while work waits.
public struct AllocQueueRow: Sendable, Hashable {
    public var id: Int
    /// The queue's parameters as JSON (profile, overrides, limits).
    public var params: String
    public var state: String
    public var reason: String?
    public var createdAt: Double
    public init(id: Int, params: String, state: String, reason: String?, createdAt: Double) {
        self.id = id; self.params = params; self.state = state; self.reason = reason; self.createdAt = createdAt
    }
}
