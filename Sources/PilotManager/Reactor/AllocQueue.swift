import PilotProtocol

/// One autoscaling queue as the manager keeps it.
struct AllocQueue: Sendable {
    var id: Int
    var request: AllocQueueRequest
    var state: AllocQueueInfo.State
    var reason: String?
    var failures = 0
    var createdAt: Double

    var minPilots: Int { request.minPilots ?? 0 }
    var backlog: Int { max(1, request.backlog ?? 1) }
    var idleTimeout: Double { request.idleTimeout ?? 300 }
    var maxFailures: Int { max(1, request.maxFailures ?? 3) }
}
