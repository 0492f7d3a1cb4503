import Foundation
import PilotYAML
import Yams

extension QPUDeviceProfile {
    /// Reads and validates one profile. Unknown keys, wrong types and out-of-range values are
    /// reported with the file, the dotted field name, the reason and the YAML line.
    public static func load(path: String) throws(QuantumError) -> QPUDeviceProfile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw QuantumError(.profileIO, "cannot read profile", file: path, cause: error)
        }
        return try parse(yaml: text, fileName: path)
    }

    /// All `*.yaml`/`*.yml` profiles of a directory, sorted by file name. Two profiles with the
    /// same `name` are an error because jobs address devices by name.
    public static func loadAll(directory: String) throws(QuantumError) -> [QPUDeviceProfile] {
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw QuantumError(.profileIO, "cannot list profile directory", file: directory, cause: error)
        }
        var profiles: [QPUDeviceProfile] = []
        var seen: [String: String] = [:]
        for entry in entries.sorted() where entry.hasSuffix(".yaml") || entry.hasSuffix(".yml") {
            let path = (directory as NSString).appendingPathComponent(entry)
            let profile = try load(path: path)
            if let other = seen[profile.name] {
                throw QuantumError(.profileInvalid, "field 'name': device name '\(profile.name)' is also used by \(other)",
                                   file: path, field: "name")
            }
            seen[profile.name] = path
            profiles.append(profile)
        }
        return profiles
    }

    public static func parse(yaml: String, fileName: String = "<profile>") throws(QuantumError) -> QPUDeviceProfile {
        let root: YAMLValue
        do { root = try YAMLDocument.parse(yaml, file: fileName) } catch {
            throw QuantumError(.profileInvalid, error.message, file: fileName, line: error.line, column: error.column,
                               field: error.field)
        }
        return try ProfileReader(fileName: fileName).profile(root.node)
    }
}

/// The device profile's view of the shared YAML reader: its type checks, duplicate and unknown
/// keys and wording, reported as `QuantumError`s naming the field and the line.
private struct ProfileReader {
    let fileName: String

    func fail(_ field: String, _ reason: String, _ node: Node?) -> QuantumError {
        QuantumError(.profileInvalid, "field '\(field)': \(reason)", file: fileName, line: node?.mark?.line,
                     column: node?.mark?.column, field: field)
    }

    func value(_ node: Node, _ field: String) -> YAMLValue { YAMLValue(node: node, path: field, keyMark: nil, file: fileName) }

    func shared<T>(_ body: () throws(YAMLError) -> T) throws(QuantumError) -> T {
        do { return try body() } catch {
            let field = error.field ?? ""
            throw QuantumError(.profileInvalid, field.isEmpty ? error.message : "field '\(field)': \(error.message)",
                               file: fileName, line: error.line, column: error.column, field: field)
        }
    }

    func mapping(_ node: Node, _ field: String, allowed: Set<String>) throws(QuantumError) -> [String: Node] {
        let m = try shared { () throws(YAMLError) in
            let m = try value(node, field).mapping()
            try m.checkKeys(allowed: allowed)
            return m
        }
        var result: [String: Node] = [:]
        for e in m.entries { result[e.key] = e.value.node }
        return result
    }

    func isNull(_ node: Node) -> Bool { value(node, "").isNull }

    func integer(_ node: Node?, _ field: String) throws(QuantumError) -> Int {
        guard let node else { throw fail(field, "is required", nil) }
        return try shared { () throws(YAMLError) in try value(node, field).int() }
    }

    func number(_ node: Node?, _ field: String) throws(QuantumError) -> Double {
        guard let node else { throw fail(field, "is required", nil) }
        return try shared { () throws(YAMLError) in try value(node, field).number() }
    }

    func string(_ node: Node?, _ field: String) throws(QuantumError) -> String {
        guard let node else { throw fail(field, "is required", nil) }
        return try shared { () throws(YAMLError) in try value(node, field).string() }
    }

    func boolean(_ node: Node, _ field: String) throws(QuantumError) -> Bool {
        try shared { () throws(YAMLError) in try value(node, field).bool() }
    }

    func sequence(_ node: Node, _ field: String) throws(QuantumError) -> [Node] {
        try shared { () throws(YAMLError) in try value(node, field).list(max: 1_000_000, nonEmpty: false).map(\.node) }
    }

    func describe(_ node: Node) -> String { value(node, "").describe }

    func probability(_ node: Node?, _ field: String) throws(QuantumError) -> Double {
        guard let node else { return 0 }
        let v = try number(node, field)
        guard v >= 0, v <= 1 else { throw fail(field, "must be a probability in [0, 1], got \(v)", node) }
        return v
    }

    func seconds(_ node: Node?, _ field: String) throws(QuantumError) -> Double {
        guard let node else { return 0 }
        let v = try number(node, field)
        guard v >= 0 else { throw fail(field, "must be a non-negative number of seconds, got \(v)", node) }
        return v
    }

    func profile(_ root: Node) throws(QuantumError) -> QPUDeviceProfile {
        let top = try mapping(root, "", allowed: ["version", "name", "qubits", "coupling_map", "basis_gates",
                                                  "enforce_basis_gates", "max_concurrent_jobs", "noise", "latency",
                                                  "executor", "description"])
        let version = try integer(top["version"], "version")
        guard version == 1 else { throw fail("version", "unsupported version \(version) (expected 1)", top["version"]) }
        let name = try string(top["name"], "name")
        let qubits = try integer(top["qubits"], "qubits")
        guard qubits >= 1 else { throw fail("qubits", "must be at least 1, got \(qubits)", top["qubits"]) }
        if let d = top["description"] { _ = try string(d, "description") }

        var coupling: [[Int]]?
        if let node = top["coupling_map"], !isNull(node) {
            var pairs: [[Int]] = []
            for (i, pairNode) in try sequence(node, "coupling_map").enumerated() {
                let field = "coupling_map[\(i)]"
                let items = try sequence(pairNode, field)
                guard items.count == 2 else { throw fail(field, "must be a pair [a, b], got \(items.count) entries", pairNode) }
                let a = try integer(items[0], field), b = try integer(items[1], field)
                guard a >= 0, a < qubits, b >= 0, b < qubits, a != b else {
                    throw fail(field, "pair [\(a), \(b)] must name two different qubits in 0..<\(qubits)", pairNode)
                }
                pairs.append([a, b])
            }
            coupling = pairs
        }

        var basis: [String] = []
        if let node = top["basis_gates"] {
            for (i, gateNode) in try sequence(node, "basis_gates").enumerated() {
                let gate = try string(gateNode, "basis_gates[\(i)]")
                let structural = ["measure", "reset", "barrier", "delay"]
                guard GateKind.named(gate) != nil || structural.contains(gate) else {
                    throw fail("basis_gates[\(i)]", "unknown gate '\(gate)'", gateNode)
                }
                basis.append(gate)
            }
        }
        let enforce = try top["enforce_basis_gates"].map { (n: Node) throws(QuantumError) in
            try boolean(n, "enforce_basis_gates")
        } ?? false
        if enforce && basis.isEmpty {
            throw fail("basis_gates", "must list gates when enforce_basis_gates is true", top["basis_gates"] ?? root)
        }

        var maxJobs = 1
        if let node = top["max_concurrent_jobs"] {
            maxJobs = try integer(node, "max_concurrent_jobs")
            guard maxJobs >= 1 else { throw fail("max_concurrent_jobs", "must be at least 1, got \(maxJobs)", node) }
        }

        var noise = NoiseModel.ideal
        if let node = top["noise"] {
            let m = try mapping(node, "noise", allowed: ["depolarizing_1q", "depolarizing_2q", "readout", "trajectories"])
            noise.depolarizing1q = try probability(m["depolarizing_1q"], "noise.depolarizing_1q")
            noise.depolarizing2q = try probability(m["depolarizing_2q"], "noise.depolarizing_2q")
            noise.readout = try probability(m["readout"], "noise.readout")
            if let t = m["trajectories"] {
                noise.trajectories = try integer(t, "noise.trajectories")
                guard noise.trajectories >= 1 else {
                    throw fail("noise.trajectories", "must be at least 1, got \(noise.trajectories)", t)
                }
            }
        }

        var latency = QPUDeviceProfile.Latency()
        if let node = top["latency"] {
            let m = try mapping(node, "latency", allowed: ["queue_wait", "per_circuit", "per_shot"])
            latency.queueWait = try seconds(m["queue_wait"], "latency.queue_wait")
            latency.perCircuit = try seconds(m["per_circuit"], "latency.per_circuit")
            latency.perShot = try seconds(m["per_shot"], "latency.per_shot")
        }

        var executor = QPUDeviceProfile.Executor.embedded
        if let node = top["executor"] {
            let m = try mapping(node, "executor", allowed: ["type", "argv", "timeout"])
            let type = try string(m["type"], "executor.type")
            switch type {
            case "embedded":
                if m["argv"] != nil { throw fail("executor.argv", "only allowed with type: command", m["argv"]) }
            case "command":
                guard let argvNode = m["argv"] else { throw fail("executor.argv", "is required for type: command", node) }
                var argv: [String] = []
                for (i, arg) in try sequence(argvNode, "executor.argv").enumerated() {
                    guard case .scalar(let s) = arg, !isNull(arg) else {
                        throw fail("executor.argv[\(i)]", "must be a string, got \(describe(arg))", arg)
                    }
                    argv.append(s.string)
                }
                guard !argv.isEmpty else { throw fail("executor.argv", "must name a program", argvNode) }
                var timeout: Double?
                if let t = m["timeout"] {
                    let v = try number(t, "executor.timeout")
                    guard v > 0 else { throw fail("executor.timeout", "must be positive, got \(v)", t) }
                    timeout = v
                }
                executor = .command(argv: argv, timeoutSeconds: timeout)
            default:
                throw fail("executor.type", "must be 'embedded' or 'command', got \"\(type)\"", m["type"])
            }
        }

        return QPUDeviceProfile(version: version, name: name, qubits: qubits, couplingMap: coupling, basisGates: basis,
                                enforceBasisGates: enforce, maxConcurrentJobs: maxJobs, noise: noise, latency: latency,
                                executor: executor)
    }
}
