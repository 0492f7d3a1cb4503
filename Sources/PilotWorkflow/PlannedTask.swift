import PilotCore

/// One task of a workload, addressed by its index within the workload; the lead maps local
/// indices to real task ids when it submits them.
public struct PlannedTask: Sendable, Hashable {
    public var localIndex: Int
    public var spec: TaskSpec
    /// Local indices of tasks in the same workload that must finish successfully first.
    public var dependsOn: [Int]
    /// Tasks with the same key would rather share a node (a pipeline item's files stay local).
    public var colocationKey: String?

    public init(localIndex: Int, spec: TaskSpec, dependsOn: [Int] = [], colocationKey: String? = nil) {
        self.localIndex = localIndex
        self.spec = spec
        self.dependsOn = dependsOn
        self.colocationKey = colocationKey
    }
}
