import Foundation
import PilotProtocol
import PilotSlurm
import PilotStore

/// The manager's copy of one pilot; the store holds the same as a `PilotRow`.
struct PilotRecord: Sendable, Equatable {
    var id: String
    var profile: String
    /// nil: the manager's own cluster. Kept in the stored request (`request`), so no new column.
    var cluster: SlurmCluster?
    var jobID: SlurmJobID?
    var state: PilotState
    var reason: String?
    var nodeCount: Int
    var nodes: [String] = []
    var submittedAt: Double
    var startedAt: Double?
    var endedAt: Double?
    var walltimeEnd: Double?
    var request: String?
    var queue: Int?
    /// Slurm no longer runs the job (final, or completing): its agents are gone or going.
    var ended = false
    /// A drain request and its deadline. Kept in memory only: after a manager restart the agents
    /// that were told report `draining` in their hello, which is what scheduling needs.
    var drainRequestedAt: Double?
    var drainDeadline: Double?

    init(id: String, profile: String, state: PilotState, nodeCount: Int, submittedAt: Double, request: String? = nil,
         queue: Int? = nil) {
        self.id = id; self.profile = profile; self.state = state; self.nodeCount = nodeCount
        self.submittedAt = submittedAt; self.request = request; self.queue = queue
    }

    init(row: PilotRow) {
        id = row.id
        profile = row.profile
        jobID = row.slurmJobID.flatMap { UInt32(exactly: $0) }.map(SlurmJobID.init(rawValue:))
        state = PilotState(rawValue: row.state) ?? .failed
        reason = row.reason
        nodeCount = row.nodeCount
        nodes = row.nodes
        submittedAt = row.submittedAt
        startedAt = row.startedAt
        endedAt = row.endedAt
        walltimeEnd = row.walltimeEnd
        request = row.request
        queue = row.queue
        cluster = row.request.flatMap { Self.cluster(inRequest: $0) }
        ended = state.isFinal
    }

    var row: PilotRow {
        PilotRow(id: id, slurmJobID: jobID.map { Int64($0.rawValue) }, profile: profile, state: state.rawValue, reason: reason,
                 nodeCount: nodeCount, nodes: nodes, submittedAt: submittedAt, startedAt: startedAt, endedAt: endedAt,
                 walltimeEnd: walltimeEnd, request: request, queue: queue)
    }

    static func cluster(inRequest json: String) -> SlurmCluster? {
        struct Stored: Decodable { var cluster: SlurmCluster? }
        return (try? JSONDecoder().decode(Stored.self, from: Data(json.utf8)))?.cluster
    }

    /// `p12` → 12, for numbering the next pilot after a restart.
    var number: Int? { id.hasPrefix("p") ? Int(id.dropFirst()) : nil }
}
