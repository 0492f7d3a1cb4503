/// Everything one scheduling round changed, written in one transaction.
public struct WriteBatch: Sendable {
    public var tasks: [TaskRow] = []
    public var events: [TaskEventRow] = []
    public var agents: [AgentRow] = []
    public init() {}
    public var isEmpty: Bool { tasks.isEmpty && events.isEmpty && agents.isEmpty }
}
