import Foundation

/// A snapshot of one job as the controller reports it.
public struct SlurmJobInfo: Sendable, Equatable, Codable {
    public var id: SlurmJobID
    public var name: String
    public var state: SlurmJobState
    /// Why the job is in its state ("Resources", "Priority", "None"...), plus
    /// Slurm's free-text description when it has one.
    public var stateReason: String
    /// Expanded node names ("n[1-2]" becomes ["n1", "n2"]); empty while pending.
    public var nodes: [String]
    public var nodeCount: Int
    public var submitTime: Date?
    public var startTime: Date?
    /// For a running job, the expected end (start + time limit).
    public var endTime: Date?
    /// nil when the job has no limit (INFINITE) or none was set.
    public var timeLimitMinutes: UInt32?
    /// Process exit status of the batch script, as decoded from Slurm's wait status.
    public var exitCode: SlurmExitCode?

    public init(id: SlurmJobID, name: String, state: SlurmJobState, stateReason: String = "None",
                nodes: [String] = [], nodeCount: Int? = nil, submitTime: Date? = nil, startTime: Date? = nil,
                endTime: Date? = nil, timeLimitMinutes: UInt32? = nil, exitCode: SlurmExitCode? = nil) {
        self.id = id
        self.name = name
        self.state = state
        self.stateReason = stateReason
        self.nodes = nodes
        self.nodeCount = nodeCount ?? nodes.count
        self.submitTime = submitTime
        self.startTime = startTime
        self.endTime = endTime
        self.timeLimitMinutes = timeLimitMinutes
        self.exitCode = exitCode
    }
}
