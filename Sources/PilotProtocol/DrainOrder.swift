/// Manager → agent: drain as if the walltime warning had reached the agent itself (the batch shell
/// gets Slurm's signal and forwards it through the manager, see JobScripts/pilot.sbatch.mustache).
public struct DrainOrder: Sendable, Codable, Hashable {
    public var reason: String
    /// Running tasks may continue until then (Unix seconds); nil: the agent's own walltime end.
    public var deadline: Double?
    public init(reason: String, deadline: Double?) { self.reason = reason; self.deadline = deadline }
}
