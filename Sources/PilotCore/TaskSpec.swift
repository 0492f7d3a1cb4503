/// The unit the manager binds and an agent runs: a command or a built-in kernel, with its request.
public struct TaskSpec: Sendable, Codable, Hashable {
    public enum Kind: String, Sendable, Codable, Hashable {
        /// A process: `command` is argv.
        case command
        /// A quantum job run on a QPU-proxy device; `payload` is the job's JSON.
        case quantum
        /// Completes without running anything: measures the system's own cost.
        case null
    }

    public var name: String?
    public var kind: Kind = .command
    public var command: [String] = []
    public var environment: [String: String] = [:]
    public var workingDirectory: String?
    public var payload: String?
    public var request = ResourceRequest()
    /// For `qpu: auto`: the predicted runtime and fidelity on each device. The manager fills them
    /// in at submission for quantum tasks; a client may give its own.
    public var qpuEstimates: [DeviceEstimate]?
    /// Expected runtime in seconds: used to keep tasks off pilots whose walltime would end first.
    public var timeRequest: Double?
    /// Hard limit in seconds: the agent sends TERM, then KILL.
    public var timeLimit: Double?
    public var priority: Int = 0
    public var retries: Int = 0
    /// How many times the task may be running on an agent that dies before it is failed.
    public var crashLimit: Int = 3
    /// Write stdout/stderr to per-task files; off for throughput runs where output is noise.
    public var captureOutput: Bool = true
    /// Set for members of an array: `{i}` in `command` and `$PILOT_ARRAY_INDEX` take this value.
    public var arrayIndex: Int?
    /// Tasks that must end before this one becomes ready.
    public var after: [Int64] = []
    /// With `after`: only a successful end counts; a dependency that failed or was canceled fails this task.
    public var afterOk: Bool = false

    public init(name: String? = nil, kind: Kind = .command, command: [String] = [], request: ResourceRequest = ResourceRequest()) {
        self.name = name
        self.kind = kind
        self.command = command
        self.request = request
    }

    public func validate() throws(CoreError) {
        try request.validate()
        switch kind {
        case .command:
            guard let first = command.first, !first.isEmpty else {
                throw CoreError(.invalidRequest, "a command task needs a non-empty command", field: "command")
            }
        case .quantum:
            guard let p = payload, !p.isEmpty else {
                throw CoreError(.invalidRequest, "a quantum task needs a payload (circuit, shots, device)", field: "payload")
            }
            guard request.qpu != nil else {
                throw CoreError(.invalidRequest, "a quantum task must ask for a QPU slot (--qpu DEVICE:1)", field: "qpu")
            }
        case .null: break
        }
        if let t = timeRequest { guard t >= 0, t.isFinite else { throw CoreError(.invalidRequest, "must be ≥ 0", field: "time") } }
        if let t = timeLimit { guard t > 0, t.isFinite else { throw CoreError(.invalidRequest, "must be > 0", field: "time_limit") } }
        guard (0...1000).contains(retries) else { throw CoreError(.invalidRequest, "must be between 0 and 1000", field: "retries") }
        guard (1...1000).contains(crashLimit) else { throw CoreError(.invalidRequest, "must be between 1 and 1000", field: "crash_limit") }
        guard (-1_000_000...1_000_000).contains(priority) else {
            throw CoreError(.invalidRequest, "must be between -1000000 and 1000000", field: "priority")
        }
        guard command.count <= 100_000, environment.count <= 10_000 else {
            throw CoreError(.invalidRequest, "too many arguments or environment entries", field: command.count > 100_000 ? "command" : "env")
        }
        try validateCStrings()
    }

    /// execve takes C strings: a NUL byte would silently cut an argument or a variable short (or
    /// fail the launch on the node, far from the user). Refused at submit, naming the field.
    func validateCStrings() throws(CoreError) {
        func refuse(_ field: String, _ what: String) -> CoreError {
            CoreError(.invalidRequest, "\(what) contains a NUL byte, which no program argument, path or environment entry can hold", field: field)
        }
        for (i, arg) in command.enumerated() where arg.utf8.contains(0) {
            throw refuse("command[\(i)]", i == 0 ? "the executable" : "argument \(i)")
        }
        for (k, v) in environment.sorted(by: { $0.key < $1.key }) {
            if k.utf8.contains(0) { throw refuse("env", "an environment variable name") }
            if v.utf8.contains(0) { throw refuse("env.\(k)", "the value of \(k)") }
            if k.isEmpty || k.utf8.contains(UInt8(ascii: "=")) {
                throw CoreError(.invalidRequest, "'\(k)' is not a valid environment variable name", field: "env")
            }
        }
        if let d = workingDirectory, d.utf8.contains(0) { throw refuse("cwd", "the working directory") }
    }

    /// The concrete task for one array index: `{i}` replaced in argv.
    public func instantiated(index: Int) -> TaskSpec {
        var t = self
        t.arrayIndex = index
        let i = String(index)
        t.command = command.map { $0.mentionsIndex ? $0.replacingOccurrences(of: "{i}", with: i) : $0 }
        t.name = memberName(index: index)
        return t
    }

    /// The name array member `index` gets (without building the whole member spec).
    public func memberName(index: Int) -> String? {
        guard let n = name else { return nil }
        return n.mentionsIndex ? n.replacingOccurrences(of: "{i}", with: String(index)) : "\(n)[\(index)]"
    }
}

extension String {
    /// Whether `{i}` occurs. A byte scan: the agent asks this of every argument of every array member
    /// it starts, and the generic substring search cost more than building the whole member.
    var mentionsIndex: Bool {
        var previous: UInt8 = 0, beforePrevious: UInt8 = 0
        for byte in utf8 {
            if byte == UInt8(ascii: "}") && previous == UInt8(ascii: "i") && beforePrevious == UInt8(ascii: "{") { return true }
            beforePrevious = previous
            previous = byte
        }
        return false
    }

    /// Foundation-free replacement so the core keeps no Foundation dependency.
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let r = rest.firstRange(of: target) {
            out += rest[rest.startIndex..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        out += rest
        return out
    }
}
