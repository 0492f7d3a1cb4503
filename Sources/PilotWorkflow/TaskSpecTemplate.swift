import PilotCore

/// A task spec used as a starting point by whoever produces tasks later (a cutter, a driver).
public struct TaskSpecTemplate: Sendable, Hashable {
    public var spec: TaskSpec
    public init(_ spec: TaskSpec) { self.spec = spec }
}
