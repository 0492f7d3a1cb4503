/// What the reactor keeps of an optimizer-planned cutting stage until the stage ends.
struct DreamerStagePlan: Sendable, Hashable {
    var plan: String
    var predictedMakespan: Double
    /// The reactor's time when the plan arrived (the sub-experiments are submitted then).
    var plannedAt: Double
}
