/// `POST /v1/allocs`: an allocation queue that submits pilots of one profile while work waits.
public struct AllocQueueRequest: Sendable, Codable, Hashable {
    public var v: Int?
    public var profile: String
    public var overrides: PilotOverrides?
    public var maxPilots: Int
    /// Pilots kept even without work.
    public var minPilots: Int?
    /// Pilots allowed to wait in Slurm's queue at once (submitted, not yet all agents registered).
    public var backlog: Int?
    /// Seconds a running pilot may stay without tasks before it is cancelled.
    public var idleTimeout: Double?
    /// Pilots in a row that may fail to start before the queue pauses.
    public var maxFailures: Int?

    public init(profile: String, overrides: PilotOverrides? = nil, maxPilots: Int, minPilots: Int? = nil, backlog: Int? = nil,
                idleTimeout: Double? = nil, maxFailures: Int? = nil) {
        self.profile = profile; self.overrides = overrides; self.maxPilots = maxPilots; self.minPilots = minPilots
        self.backlog = backlog; self.idleTimeout = idleTimeout; self.maxFailures = maxFailures
    }

    enum CodingKeys: String, CodingKey {
        case v, profile, overrides, backlog
        case maxPilots
        case minPilots
        case idleTimeout
        case maxFailures
    }
}

public struct AllocQueueInfo: Sendable, Codable, Hashable {
    public enum State: String, Sendable, Codable { case active, paused, removed }
    public var id: Int
    public var request: AllocQueueRequest
    public var state: State
    /// Why the queue is paused (the last failures), shown by `pilot alloc list`.
    public var reason: String?
    /// Failures to start in a row.
    public var failures: Int
    /// Unfinished pilots it submitted.
    public var pilots: [String]
    /// The cluster its profile's pilots go to; queues are per cluster and profile.
    public var cluster: String?
    /// What one node of its pilots holds, as the profile asks Slurm: a waiting task counts as
    /// demand for this queue only when such a node can hold it.
    public var coresPerNode: Int?
    public var gpusPerNode: Int?
    public init(id: Int, request: AllocQueueRequest, state: State, reason: String?, failures: Int, pilots: [String]) {
        self.id = id; self.request = request; self.state = state; self.reason = reason; self.failures = failures; self.pilots = pilots
    }
}

public struct AllocQueueList: Sendable, Codable {
    public var queues: [AllocQueueInfo]
    public init(queues: [AllocQueueInfo]) { self.queues = queues }
}
