/// The resource side of the manager at one moment, as the metrics export it: agents and pilots by
/// state, slot use per pilot, and QPU leases per device.
struct ResourceReading: Sendable, Equatable {
    struct Slots: Sendable, Equatable {
        var coresFree = 0, coresUsed = 0, gpusFree = 0, gpusUsed = 0
    }

    struct Device: Sendable, Equatable {
        var inUse: Int
        var limit: Int
    }

    var agents: [String: Int] = [:]
    var pilots: [String: Int] = [:]
    /// By pilot id; agents started by hand, outside any pilot, count under `ResourceReading.noPilot`.
    var slots: [String: Slots] = [:]
    /// The cluster of each pilot in `slots` (`noPilot` for agents outside pilots).
    var pilotCluster: [String: String] = [:]
    /// By cluster, then state.
    var clusterPilots: [String: [String: Int]] = [:]
    var clusterAgents: [String: [String: Int]] = [:]
    var devices: [String: Device] = [:]

    static let noPilot = "none"
    static let agentStates = ["active", "draining", "disconnected", "lost", "gone"]
}
