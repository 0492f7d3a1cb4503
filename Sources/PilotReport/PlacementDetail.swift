import Foundation

/// The slots a `task_bound` record's detail names (see the manager's `placementDetail`).
struct PlacementDetail: Decodable, Sendable {
    struct Node: Decodable, Sendable {
        var agent: Int
        var cores: [Int]
        var gpus: [Int]
    }
    struct Lease: Decodable, Sendable {
        var device: String
        var slots: [Int]
    }
    var nodes: [Node]
    var qpu: Lease?

    /// nil for records written before placements were journaled, or with a detail of another shape.
    static func parse(_ detail: String?) -> PlacementDetail? {
        guard let d = detail, let data = d.data(using: .utf8) else { return nil }
        return try? JSONDecoder().decode(PlacementDetail.self, from: data)
    }
}

/// What an `agent_registered` record's detail says about the agent.
struct AgentDetail: Decodable, Sendable {
    var hostname: String?
    var cores: Int?
    var gpus: Int?

    static func parse(_ detail: String?) -> AgentDetail? {
        guard let d = detail, let data = d.data(using: .utf8) else { return nil }
        return try? JSONDecoder().decode(AgentDetail.self, from: data)
    }
}

/// When an attempt ran by the agent's clock, from the detail of the record that ends it.
struct RunTimes: Decodable, Sendable {
    var started: Double?
    var ended: Double?

    static func parse(_ detail: String?) -> RunTimes? {
        guard let d = detail, d.contains("started"), let data = d.data(using: .utf8) else { return nil }
        return try? JSONDecoder().decode(RunTimes.self, from: data)
    }
}
