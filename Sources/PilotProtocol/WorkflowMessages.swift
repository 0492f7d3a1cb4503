/// `POST /v1/workflows`: the workflow file's text (and its path, for error messages and relative paths).
public struct WorkflowSubmitRequest: Sendable, Codable {
    public var yaml: String
    public var file: String?
    /// Per-workflow directory for stage outputs (default: `<server dir>/workflows/<id>`).
    public var dir: String?
    public init(yaml: String, file: String? = nil, dir: String? = nil) { self.yaml = yaml; self.file = file; self.dir = dir }
}

/// A workflow with its stages (one workload each) and their progress.
public struct WorkflowInfo: Sendable, Codable, Hashable {
    public var id: Int64
    public var name: String
    public var state: String
    public var dir: String
    public var createdAt: Double
    public var endedAt: Double?
    public var stages: [StageInfo]
    public init(id: Int64, name: String, state: String, dir: String, createdAt: Double, endedAt: Double?, stages: [StageInfo]) {
        self.id = id; self.name = name; self.state = state; self.dir = dir; self.createdAt = createdAt; self.endedAt = endedAt
        self.stages = stages
    }
}

public struct StageInfo: Sendable, Codable, Hashable {
    public var name: String
    public var motif: String
    public var needs: [String]
    public var state: String
    public var reason: String?
    public var workload: Int64?
    /// Task counts by phase (pending, submitted, running, done, failed, canceled).
    public var counts: [String: Int]
    public var total: Int
    public var rounds: Int?
    public var firstStart: Double?
    public var lastEnd: Double?
    public var result: JSONText?
    /// Core-, GPU- and QPU-seconds used by the stage's tasks.
    public var coreSeconds: Double
    public var gpuSeconds: Double
    public var qpuSeconds: Double
    public init(name: String, motif: String, needs: [String], state: String, reason: String?, workload: Int64?,
                counts: [String: Int], total: Int, rounds: Int?, firstStart: Double?, lastEnd: Double?, result: JSONText?,
                coreSeconds: Double = 0, gpuSeconds: Double = 0, qpuSeconds: Double = 0) {
        self.name = name; self.motif = motif; self.needs = needs; self.state = state; self.reason = reason
        self.workload = workload; self.counts = counts; self.total = total; self.rounds = rounds
        self.firstStart = firstStart; self.lastEnd = lastEnd; self.result = result
        self.coreSeconds = coreSeconds; self.gpuSeconds = gpuSeconds; self.qpuSeconds = qpuSeconds
    }
}

public struct WorkflowList: Sendable, Codable { public var workflows: [WorkflowInfo]; public init(workflows: [WorkflowInfo]) { self.workflows = workflows } }
