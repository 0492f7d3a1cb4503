import PilotCore

/// What the manager knows about one agent across connections.
struct AgentRecord: Sendable {
    enum State: String, Sendable { case active, disconnected, lost, gone }
    let id: Int
    let uuid: String
    var hostname: String
    var pilot: String?
    var resources: NodeResources
    var state: State
    /// The agent's current connection, if any.
    var link: ConnectionID?
    var registeredAt: Double
    var lastSeen: Double
    var deadline: Double?
    var draining = false
    /// Whether the scheduler currently holds this agent's slots.
    var scheduled = false
}
