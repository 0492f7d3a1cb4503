/// A task in JSON is the flat object of the task-field table (`cores`, `mem`, `time_limit`, …),
/// the same keys a tasks file or a workflow stage uses, read through the same `TaskDraft`. The
/// API's coders turn the camelCase keys below into snake_case; the store and the agent wire use
/// them as they are.
///
/// Encoding writes every value in a form the reader takes back exactly (durations as `90s`,
/// sizes with their largest exact unit), so a spec survives the store and the wire unchanged.
/// Decoding refuses a key no task has, naming it with the nearest known one.
extension TaskSpec {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, command, cores, gpus, mem, qpu, custom, pilot, nodes, ranksPerNode, time, timeLimit, priority, retries
        case crashLimit, env, cwd, captureOutput, kind, payload, arrayIndex, after, afterOk, qpuEstimates
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        // Specs stored by versions before the field table nested the request; read them as they
        // are so an old server directory still opens. The API never gets here with them: its key
        // check refuses `request` first.
        if c.contains(AnyCodingKey(stringValue: "request")) {
            self = try Self.legacy(decoder)
            return
        }
        var draft = TaskDraft()
        self.init()
        let prefix = CodingPath.text(decoder.codingPath)
        let known = TaskField.names + ["kind", "payload", "array_index", "qpu_estimates"]
        var estimates: [DeviceEstimate]?
        for key in c.allKeys {
            let name = CodingPath.snake(key.stringValue)
            let path = prefix.isEmpty ? name : "\(prefix).\(name)"
            switch name {
            case "kind":
                // null is "not given", as for every other key (and as the API document says).
                guard let k = try c.decodeIfPresent(String.self, forKey: key) else { continue }
                guard let kind = Kind(rawValue: k) else {
                    throw CoreError(.invalidRequest, "unknown kind '\(k)' (command, quantum or null)", field: path)
                }
                draft.spec.kind = kind
            case "payload": draft.spec.payload = try c.decodeIfPresent(String.self, forKey: key)
            case "array_index": draft.spec.arrayIndex = try c.decodeIfPresent(Int.self, forKey: key)
            case "qpu_estimates":
                if try c.decodeNil(forKey: key) { continue }
                guard let list = try? c.decode([DeviceEstimate].self, forKey: key) else {
                    throw CoreError(.invalidRequest, "must be a list of {device, runtime, fidelity}", field: path)
                }
                try DeviceEstimate.validate(list, field: path)
                estimates = list
            case "array": continue
            default:
                guard TaskField.named(name) != nil else { throw TaskField.unknown(name, path: path, among: known) }
                try draft.set(name, try c.decode(TaskFieldValue.self, forKey: key), path: path)
            }
        }
        let built = try draft.build(prefix: prefix.isEmpty ? "" : prefix + ".")
        let kind = draft.spec.kind, payload = draft.spec.payload, index = draft.spec.arrayIndex
        self = built
        if let estimates {
            guard built.request.qpu?.policy != nil else {
                throw CoreError(.invalidRequest, "qpu_estimates are for qpu: auto, which this task does not ask for",
                                field: prefix.isEmpty ? "qpu_estimates" : "\(prefix).qpu_estimates")
            }
            self.qpuEstimates = estimates
        }
        self.kind = kind
        self.payload = payload
        self.arrayIndex = index
    }

    private enum LegacyKeys: String, CodingKey {
        case name, kind, command, environment, workingDirectory, payload, request, timeRequest, timeLimit, priority
        case retries, crashLimit, captureOutput, arrayIndex
    }

    private static func legacy(_ decoder: any Decoder) throws -> TaskSpec {
        let c = try decoder.container(keyedBy: LegacyKeys.self)
        var t = TaskSpec()
        t.name = try c.decodeIfPresent(String.self, forKey: .name)
        t.kind = try c.decodeIfPresent(Kind.self, forKey: .kind) ?? .command
        t.command = try c.decodeIfPresent([String].self, forKey: .command) ?? []
        t.environment = try c.decodeIfPresent([String: String].self, forKey: .environment) ?? [:]
        t.workingDirectory = try c.decodeIfPresent(String.self, forKey: .workingDirectory)
        t.payload = try c.decodeIfPresent(String.self, forKey: .payload)
        t.request = try c.decode(ResourceRequest.self, forKey: .request)
        t.timeRequest = try c.decodeIfPresent(Double.self, forKey: .timeRequest)
        t.timeLimit = try c.decodeIfPresent(Double.self, forKey: .timeLimit)
        t.priority = try c.decodeIfPresent(Int.self, forKey: .priority) ?? 0
        t.retries = try c.decodeIfPresent(Int.self, forKey: .retries) ?? 0
        t.crashLimit = try c.decodeIfPresent(Int.self, forKey: .crashLimit) ?? 3
        t.captureOutput = try c.decodeIfPresent(Bool.self, forKey: .captureOutput) ?? true
        t.arrayIndex = try c.decodeIfPresent(Int.self, forKey: .arrayIndex)
        return t
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(name, forKey: .name)
        if kind != .command { try c.encode(kind.rawValue, forKey: .kind) }
        if !command.isEmpty || kind == .command { try c.encode(command, forKey: .command) }
        try c.encodeIfPresent(payload, forKey: .payload)
        try c.encode(request.coresPerRank, forKey: .cores)
        if request.gpusPerRank > 0 { try c.encode(request.gpusPerRank, forKey: .gpus) }
        if request.memoryBytes > 0 { try c.encode(Self.sizeText(request.memoryBytes), forKey: .mem) }
        try c.encodeIfPresent(request.qpu?.text, forKey: .qpu)
        if !request.custom.isEmpty {
            try c.encode(Dictionary(uniqueKeysWithValues: request.custom.map { ($0.name, $0.amount) }), forKey: .custom)
        }
        try c.encodeIfPresent(request.pilot, forKey: .pilot)
        if request.nodes != 1 { try c.encode(request.nodes, forKey: .nodes) }
        if request.ranksPerNode != 1 { try c.encode(request.ranksPerNode, forKey: .ranksPerNode) }
        try c.encodeIfPresent(timeRequest.map(Self.durationText), forKey: .time)
        try c.encodeIfPresent(timeLimit.map(Self.durationText), forKey: .timeLimit)
        if priority != 0 { try c.encode(priority, forKey: .priority) }
        if retries != 0 { try c.encode(retries, forKey: .retries) }
        if crashLimit != 3 { try c.encode(crashLimit, forKey: .crashLimit) }
        if !environment.isEmpty { try c.encode(environment, forKey: .env) }
        try c.encodeIfPresent(workingDirectory, forKey: .cwd)
        if !captureOutput { try c.encode(false, forKey: .captureOutput) }
        try c.encodeIfPresent(arrayIndex, forKey: .arrayIndex)
        if !after.isEmpty { try c.encode(after, forKey: .after) }
        if afterOk { try c.encode(true, forKey: .afterOk) }
        try c.encodeIfPresent(qpuEstimates, forKey: .qpuEstimates)
    }

    /// `90s`, `0.25s`: seconds always, so no rounding and no unit guessing on the way back.
    static func durationText(_ s: Double) -> String {
        s.rounded() == s && abs(s) < 1e15 ? "\(Int64(s))s" : "\(s)s"
    }

    /// The largest binary unit that divides the size exactly: `2G`, `1536M`, `7B`.
    static func sizeText(_ b: UInt64) -> String {
        for (shift, unit) in [(40, "T"), (30, "G"), (20, "M"), (10, "K")] where b % (1 << shift) == 0 {
            return "\(b >> shift)\(unit)"
        }
        return "\(b)B"
    }
}

extension TaskFieldValue: Decodable {
    public init(from decoder: any Decoder) throws {
        let s = try decoder.singleValueContainer()
        if s.decodeNil() { self = .null }
        else if let b = try? s.decode(Bool.self) { self = .bool(b) }
        else if let i = try? s.decode(Int.self) { self = .integer(i) }
        else if let d = try? s.decode(Double.self) { self = .number(d) }
        else if let t = try? s.decode(String.self) { self = .text(t) }
        else if let l = try? s.decode([String].self) { self = .list(l) }
        else if let l = try? s.decode([Int64].self) { self = .list(l.map(String.init)) }
        // Decoded as a dictionary, not through a keyed container, so the API's key conversion
        // leaves the user's names (`MY_VAR`, `license`) as they are.
        else if let m = try? s.decode([String: TaskFieldValue].self) {
            self = .map(m.keys.sorted().map { TaskFieldEntry(key: $0, value: m[$0]!) })
        } else {
            throw CoreError(.invalidRequest, "must be a string, number, list of strings or mapping", field: CodingPath.text(decoder.codingPath))
        }
    }
}

/// Any key: lets a decoder see every key of an object, including ones no type declares.
public struct AnyCodingKey: CodingKey, Hashable, Sendable {
    public var stringValue: String
    public var intValue: Int?
    public init(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { self.stringValue = String(intValue); self.intValue = intValue }
}

/// Coding paths as users read them: `tasks[2].time_limit`.
public enum CodingPath {
    public static func text(_ path: [any CodingKey]) -> String {
        var out = ""
        for k in path {
            if let i = k.intValue { out += "[\(i)]" } else { out += (out.isEmpty ? "" : ".") + snake(k.stringValue) }
        }
        return out
    }

    /// `timeLimit` → `time_limit`, `freeGPUs` → `free_gpus`, `slurmJobID` → `slurm_job_id`: an
    /// upper-case run is one word (with a plural `s`); keys already in snake_case stay as they are.
    public static func snake(_ key: String) -> String {
        guard key.contains(where: \.isUppercase) else { return key }
        let c = Array(key)
        var out = ""
        for i in c.indices {
            let ch = c[i]
            if ch.isUppercase, i > 0 {
                let prev = c[i - 1]
                let next: Character? = i + 1 < c.count ? c[i + 1] : nil
                let afterNext: Character? = i + 2 < c.count ? c[i + 2] : nil
                let pluralS = next == "s" && (afterNext == nil || afterNext!.isUppercase)
                if !prev.isUppercase || (next?.isLowercase == true && !pluralS) { out += "_" }
            }
            out += ch.lowercased()
        }
        return out
    }

    /// Words that are upper-case runs in Swift names, for the way back from snake_case.
    static let acronyms: [String: String] = ["gpus": "GPUs", "id": "ID", "ids": "IDs", "uuid": "UUID", "os": "OS", "cpu": "CPU",
                                             "cpus": "CPUs", "numa": "NUMA", "qpus": "QPUs", "url": "URL", "api": "API", "fd": "FD"]

    /// `free_gpus` → `freeGPUs`: the inverse of `snake` for the names this code base uses.
    public static func camel(_ key: String) -> String {
        guard key.contains("_") else { return key }
        var out = ""
        for (i, word) in key.split(separator: "_", omittingEmptySubsequences: false).enumerated() {
            if i == 0 { out += word; continue }
            out += acronyms[String(word)] ?? (word.prefix(1).uppercased() + word.dropFirst())
        }
        return out
    }
}
