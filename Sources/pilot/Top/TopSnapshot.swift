import PilotProtocol

/// What one frame of `pilot top` shows, gathered from the API.
struct TopSnapshot {
    var summary: Summary
    var occupancy: Occupancy
    var agents: [AgentInfo]
    var lastSeq: Int64
    /// Tasks ended per second over the last 10 s and 60 s, and per 2 s bin over the last 60 s.
    var rate10: Double
    var rate60: Double
    var bins: [Int]
    var recent: [TopRecentTask]
    var now: Double
}

/// A task that ended lately.
struct TopRecentTask {
    var task: Int64
    var outcome: String
    var agent: Int?
    var stage: String?
    var runtime: Double?
    var endedAt: Double
}
