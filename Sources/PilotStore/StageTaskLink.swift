/// Where a submission's tasks sit in their workflow stage: the engine's local index of each task,
/// in submission order, and the fan-out plan they were generated from (JSON), if any, which is
/// stored on the workload row in the same transaction as the tasks.
public struct StageTaskLink: Sendable, Hashable {
    public var indices: [Int]
    public var fanOutPlan: String?

    public init(indices: [Int], fanOutPlan: String? = nil) {
        self.indices = indices
        self.fanOutPlan = fanOutPlan
    }
}
