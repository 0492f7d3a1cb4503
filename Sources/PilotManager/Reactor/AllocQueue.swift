import Foundation
import PilotProtocol

/// One autoscaling queue as the manager keeps it.
struct AllocQueue: Sendable {
    var id: Int
    var request: AllocQueueRequest
    var state: AllocQueueInfo.State
    var reason: String?
    var failures = 0
    var createdAt: Double
    /// The profile's cluster and node shape, read by the shell when the queue was added; nil for
    /// a queue stored before queues had one (it takes any waiting task as demand, as then).
    var shape: PilotShape?

    /// The stored row's parameters: the request's fields, and the shape under `shape`.
    static func params(_ q: AllocQueue) -> String {
        var object = (try? JSONCoding.encoder().encode(q.request))
            .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] } ?? [:]
        if let shape = q.shape, let data = try? JSONEncoder().encode(shape), let s = try? JSONSerialization.jsonObject(with: data) {
            object["shape"] = s
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    static func shape(inParams params: String) -> PilotShape? {
        struct Stored: Decodable { var shape: PilotShape? }
        return (try? JSONDecoder().decode(Stored.self, from: Data(params.utf8)))?.shape
    }

    var minPilots: Int { request.minPilots ?? 0 }
    var backlog: Int { max(1, request.backlog ?? 1) }
    var idleTimeout: Double { request.idleTimeout ?? 300 }
    var maxFailures: Int { max(1, request.maxFailures ?? 3) }
}
