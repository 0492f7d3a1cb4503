/// Lenient decoding: every field but the command (or payload) may be omitted, so a hand-written
/// API body like `{"command":["hostname"]}` is a valid task. Encoding stays synthesized.
extension TaskSpec {
    enum CodingKeys: String, CodingKey {
        case name, kind, command, environment, workingDirectory, payload, request, timeRequest, timeLimit, priority
        case retries, crashLimit, captureOutput, arrayIndex
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        name = try c.decodeIfPresent(String.self, forKey: .name)
        kind = try c.decodeIfPresent(Kind.self, forKey: .kind) ?? .command
        command = try c.decodeIfPresent([String].self, forKey: .command) ?? []
        environment = try c.decodeIfPresent([String: String].self, forKey: .environment) ?? [:]
        workingDirectory = try c.decodeIfPresent(String.self, forKey: .workingDirectory)
        payload = try c.decodeIfPresent(String.self, forKey: .payload)
        request = try c.decodeIfPresent(ResourceRequest.self, forKey: .request) ?? ResourceRequest()
        timeRequest = try c.decodeIfPresent(Double.self, forKey: .timeRequest)
        timeLimit = try c.decodeIfPresent(Double.self, forKey: .timeLimit)
        priority = try c.decodeIfPresent(Int.self, forKey: .priority) ?? 0
        retries = try c.decodeIfPresent(Int.self, forKey: .retries) ?? 0
        crashLimit = try c.decodeIfPresent(Int.self, forKey: .crashLimit) ?? 3
        captureOutput = try c.decodeIfPresent(Bool.self, forKey: .captureOutput) ?? true
        arrayIndex = try c.decodeIfPresent(Int.self, forKey: .arrayIndex)
    }
}

extension ResourceRequest {
    enum CodingKeys: String, CodingKey { case nodes, ranksPerNode, coresPerRank, gpusPerRank, memoryBytes, custom, qpu }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        nodes = try c.decodeIfPresent(Int.self, forKey: .nodes) ?? 1
        ranksPerNode = try c.decodeIfPresent(Int.self, forKey: .ranksPerNode) ?? 1
        coresPerRank = try c.decodeIfPresent(Int.self, forKey: .coresPerRank) ?? 1
        gpusPerRank = try c.decodeIfPresent(Int.self, forKey: .gpusPerRank) ?? 0
        memoryBytes = try c.decodeIfPresent(UInt64.self, forKey: .memoryBytes) ?? 0
        custom = (try c.decodeIfPresent([CustomAmount].self, forKey: .custom) ?? []).sorted { $0.name < $1.name }
        qpu = try c.decodeIfPresent(QPUSelector.self, forKey: .qpu)
    }
}
