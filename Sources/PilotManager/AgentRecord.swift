import PilotCore

/// What the manager knows about one agent across connections.
struct AgentRecord {
    enum State: String { case active, disconnected, lost, gone }
    let id: Int
    let uuid: String
    var hostname: String
    var pilot: String?
    var resources: NodeResources
    var state: State
    var link: AgentLink?
    var registeredAt: Double
    var lastSeen: Double
    var deadline: Double?
    var draining = false
    /// Whether the scheduler currently holds this agent's slots.
    var scheduled = false
    /// The agent takes array members by template reference (`assignRefs`).
    var templates = false
    /// Templates sent over the current connection; reset on every (re)connect.
    var sentTemplates: Set<Int64> = []
}
