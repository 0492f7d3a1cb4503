/// What a motif tells the scheduler about placing its tasks, beyond each task's own request.
public struct PlacementHints: Sendable, Hashable, Codable {
    /// All ranks of the task start together on one pilot (`coupled`).
    public var gang = false
    /// Prefer putting tasks with equal `PlannedTask.colocationKey` on the same node (`pipeline`).
    public var colocateByKey = false
    /// Tasks are short and many: prefer throughput over locality (`ensemble`, cutting's fan-out).
    public var manySmallTasks = false

    public init(gang: Bool = false, colocateByKey: Bool = false, manySmallTasks: Bool = false) {
        self.gang = gang
        self.colocateByKey = colocateByKey
        self.manySmallTasks = manySmallTasks
    }
}
