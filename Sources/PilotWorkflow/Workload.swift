import PilotCore

/// The tasks one stage's motif generates, and how they hang together.
public struct Workload: Sendable, Hashable {
    public enum Plan: Sendable, Hashable {
        /// All tasks known now; dependencies (pipeline) are local indices.
        case tasks([PlannedTask])
        /// Fan-out then fan-in (cutting).
        case twoPhase(TwoPhaseWorkload)
        /// Rounds produced by a driver.
        case iterative(IterativeStagePlan)
    }
    public var stage: String
    public var motif: Motif
    public var plan: Plan
    public var hints: PlacementHints
    public var maxFailures: Int

    public init(stage: String, motif: Motif, plan: Plan, hints: PlacementHints, maxFailures: Int) {
        self.stage = stage
        self.motif = motif
        self.plan = plan
        self.hints = hints
        self.maxFailures = maxFailures
    }

    /// Tasks known before running: nil when the count is only known later (deferred fan-out, rounds).
    public var knownTaskCount: Int? {
        switch plan {
        case .tasks(let t): return t.count
        case .twoPhase(let p): if case .tasks(let t) = p.fanOut { return t.count + 1 } else { return nil }
        case .iterative: return nil
        }
    }
}
