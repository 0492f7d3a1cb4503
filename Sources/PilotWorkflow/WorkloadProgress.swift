/// Workload-level progress: counts per task state, first start and last end as fed in by events,
/// and the result once there is one (a cut circuit's reconstructed value, a driver's summary).
public struct WorkloadProgress: Sendable, Hashable, Codable {
    public enum TaskPhase: String, Sendable, Hashable, Codable, CaseIterable {
        /// Waiting for a predecessor (pipeline) or a phase (fan-in).
        case waiting
        /// In a `.submit` action, not yet confirmed submitted.
        case released
        case submitted
        case running
        case done
        case failed
        /// Not run because a predecessor failed.
        case skipped
        case canceled

        var isActive: Bool { self == .released || self == .submitted || self == .running }
        var isTerminal: Bool { self == .done || self == .failed || self == .skipped || self == .canceled }
    }

    public var stage: String
    public var motif: Motif
    /// 1 for the first run, +1 per retry.
    public var attempt: Int
    public var state: StageState
    public var counts: [TaskPhase: Int]
    /// Tasks known so far (grows with rounds and fan-out).
    public var total: Int
    /// Rounds completed (iterative).
    public var rounds: Int?
    public var firstStart: Double?
    public var lastEnd: Double?
    public var result: String?

    public func count(_ phase: TaskPhase) -> Int { counts[phase] ?? 0 }
}
