import Foundation
import PilotYAML
import Yams

extension ClusterProfile {
    static let knownKeys = [
        "version", "name", "cluster", "partition", "account", "qos", "constraint", "nodes", "cores_per_node",
        "gpus_per_node", "memory_per_node", "walltime", "exclusive", "sbatch", "sbatch_extra", "setup",
        "qpu_devices", "agent",
    ]
    static let knownClusterKeys = ["name", "slurm_conf"]
    static let knownAgentKeys = ["heartbeat_interval", "drain_signal_seconds"]

    /// Reads and validates a profile file.
    public static func load(path: String) throws(ProfileError) -> ClusterProfile {
        let document: YAMLValue
        do { document = try YAMLDocument.load(path: path) } catch { throw ProfileError(error, file: path) }
        return try read(document, file: path)
    }

    /// Parses profile YAML; `file` is only used in error messages.
    public static func parse(yaml: String, file: String) throws(ProfileError) -> ClusterProfile {
        let document: YAMLValue
        do { document = try YAMLDocument.parse(yaml, file: file) } catch { throw ProfileError(error, file: file) }
        return try read(document, file: file)
    }

    private static func read(_ document: YAMLValue, file: String) throws(ProfileError) -> ClusterProfile {
        let reader = ProfileReader(file: file)
        let root = document.node
        let entries = try reader.mapping(root, "")
        var values: [String: Node] = [:]
        for entry in entries {
            guard knownKeys.contains(entry.key) else {
                try reader.rejectUnknown(entry.key, keyNode: entry.keyNode, field: "", known: knownKeys)
                continue
            }
            values[entry.key] = entry.value
        }

        guard let versionNode = values["version"] else {
            throw reader.error("version", "missing (this format is version 1)", at: root)
        }
        let version = try reader.int(versionNode, "version", in: 1...Int.max)
        guard version == 1 else {
            throw reader.error("version", "unsupported version \(version); this SwiftPilot reads version 1", at: versionNode)
        }
        guard let nameNode = values["name"] else { throw reader.error("name", "missing", at: root) }
        guard let walltimeNode = values["walltime"] else {
            throw reader.error("walltime", "missing (e.g. \"01:00:00\")", at: root)
        }

        func optionalString(_ key: String, _ pattern: StringPattern) throws(ProfileError) -> String? {
            guard let node = values[key] else { return nil }
            return try reader.string(node, key, pattern: pattern)
        }

        var profile = ClusterProfile(
            version: version,
            name: try reader.string(nameNode, "name", pattern: .identifier),
            walltime: try walltime(walltimeNode, reader: reader),
            sourcePath: file)
        profile.partition = try optionalString("partition", .slurmName)
        profile.account = try optionalString("account", .slurmName)
        profile.qos = try optionalString("qos", .slurmName)
        profile.constraint = try optionalString("constraint", .constraint)
        if let node = values["nodes"] { profile.nodes = try reader.int(node, "nodes", in: 1...100_000) }
        if let node = values["cores_per_node"] {
            profile.coresPerNode = try reader.int(node, "cores_per_node", in: 1...4096)
        }
        if let node = values["gpus_per_node"] { profile.gpusPerNode = try reader.int(node, "gpus_per_node", in: 0...64) }
        if let node = values["memory_per_node"] { profile.memoryPerNodeMiB = try memory(node, reader: reader) }
        if let node = values["exclusive"] { profile.exclusive = try reader.bool(node, "exclusive") }
        var options: [(SbatchOption, field: String, node: Node)] = []
        if let node = values["sbatch"] {
            for entry in try reader.mapping(node, "sbatch") {
                let field = "sbatch.\(entry.key)"
                guard let option = try sbatchOption(key: entry.key, entry.value, field: field, reader: reader) else { continue }
                options.append((option, field, entry.keyNode))
            }
        }
        if let node = values["sbatch_extra"] {
            for (i, item) in try reader.list(node, "sbatch_extra").enumerated() {
                let field = "sbatch_extra[\(i)]"
                options.append((try sbatchOption(item, field: field, reader: reader), field, item))
            }
        }
        for (option, field, node) in options {
            if let key = SbatchOptionCatalog.profileKeys[option.name], values[key] != nil {
                throw reader.error(field, "--\(option.name) is also given as '\(key):'; give it once", at: node)
            }
            do {
                try profile.add(option)
            } catch {
                throw reader.error(field, error.reason, at: node)
            }
        }
        if let node = values["setup"] {
            profile.setup = try reader.list(node, "setup").enumerated().map { i, item throws(ProfileError) in
                try reader.string(item, "setup[\(i)]")
            }
        }
        if let node = values["qpu_devices"] { profile.qpuDevices = try qpuDevices(node, reader: reader) }
        if let node = values["agent"] { profile.agent = try agent(node, reader: reader) }
        if let node = values["cluster"] { profile.cluster = try cluster(node, reader: reader) }
        try profile.reconcileClusterOption(clusterLine: values["cluster"]?.mark?.line)

        try profile.validate(lineOf: { values[$0]?.mark?.line })
        return profile
    }

    private static func walltime(_ node: Node, reader: ProfileReader) throws(ProfileError) -> SlurmDuration {
        if case .int = reader.value(node, "walltime").scalar {
            let minutes = try reader.int(node, "walltime", in: 1...(365 * 24 * 60))
            return SlurmDuration(seconds: minutes * 60)
        }
        let text = try reader.string(node, "walltime")
        do {
            return try SlurmDuration(parsing: text)
        } catch {
            throw reader.error("walltime", "'\(text)': \(error.reason)", at: node)
        }
    }

    private static func memory(_ node: Node, reader: ProfileReader) throws(ProfileError) -> UInt64 {
        if case .int = reader.value(node, "memory_per_node").scalar {
            return UInt64(try reader.int(node, "memory_per_node", in: 1...(1 << 40)))
        }
        let text = try reader.string(node, "memory_per_node")
        guard let mib = MemorySize.mebibytes(text) else {
            throw reader.error("memory_per_node", "'\(text)' is not a size like 4G, 512M or 1T (plain numbers are MiB)", at: node)
        }
        return mib
    }

    private static func sbatchOption(_ node: Node, field: String, reader: ProfileReader) throws(ProfileError) -> SbatchOption {
        var text = try reader.string(node, field)
        if text.hasPrefix("#SBATCH") { text = text.dropFirst("#SBATCH".count).trimmingCharacters(in: .whitespaces) }
        guard let option = SbatchOption(text) else {
            throw reader.error(field, "'\(text)' is not an sbatch option like --name, --name=value or -Xvalue (no spaces)", at: node)
        }
        return option
    }

    /// One `sbatch:` entry: `name: value`, `name: true` for a flag (`false` leaves it
    /// out, so a copied profile can switch one off), numbers as written.
    private static func sbatchOption(key: String, _ node: Node, field: String,
                                     reader: ProfileReader) throws(ProfileError) -> SbatchOption? {
        var value: String?
        switch node {
        case .scalar(let scalar):
            switch YAMLScalar(scalar) {
            case .bool(let on): guard on else { return nil }
            case .null: value = nil
            default: value = scalar.string
            }
        case .sequence(let items):
            // Lists are sbatch's comma lists: `mail_type: [END, FAIL]`.
            var parts: [String] = []
            for (i, item) in items.enumerated() { parts.append(try reader.string(item, "\(field)[\(i)]")) }
            value = parts.joined(separator: ",")
        default:
            throw reader.error(field, "must be a value, true, or a list, got \(reader.kind(of: node))", at: node)
        }
        if let v = value, v.isEmpty || v.contains(where: \.isNewline) {
            throw reader.error(field, "must be a non-empty single line", at: node)
        }
        guard let option = SbatchOption(name: key, value: value) else {
            throw reader.error(field, "'\(key)' is not an sbatch option name", at: node)
        }
        if value == nil, !SbatchOptionCatalog.flags.contains(option.name), SbatchOptionCatalog.knownWithValue(option.name) {
            throw reader.error(field, "--\(option.name) needs a value", at: node)
        }
        return option
    }

    private static func qpuDevices(_ node: Node, reader: ProfileReader) throws(ProfileError) -> [QPUDeviceAccess] {
        var devices: [QPUDeviceAccess] = []
        for (i, item) in try reader.list(node, "qpu_devices").enumerated() {
            let field = "qpu_devices[\(i)]"
            let device: QPUDeviceAccess
            if case .mapping = item {
                var name: String?
                var slots: Int?
                for entry in try reader.mapping(item, field) {
                    switch entry.key {
                    case "name": name = try reader.string(entry.value, "\(field).name", pattern: .identifier)
                    case "slots": slots = try reader.int(entry.value, "\(field).slots", in: 1...100_000)
                    default: try reader.rejectUnknown(entry.key, keyNode: entry.keyNode, field: field, known: ["name", "slots"])
                    }
                }
                guard let name else { throw reader.error("\(field).name", "missing", at: item) }
                device = QPUDeviceAccess(name: name, slots: slots)
            } else {
                device = QPUDeviceAccess(name: try reader.string(item, field, pattern: .identifier))
            }
            guard !devices.contains(where: { $0.name == device.name }) else {
                throw reader.error(field, "device '\(device.name)' is listed twice", at: item)
            }
            devices.append(device)
        }
        return devices
    }

    /// `cluster: NAME` (reached with `--clusters`) or `cluster: {name: NAME, slurm_conf: PATH}`.
    private static func cluster(_ node: Node, reader: ProfileReader) throws(ProfileError) -> SlurmCluster {
        if case .scalar = node {
            return SlurmCluster(name: try reader.string(node, "cluster", pattern: .identifier))
        }
        guard case .mapping = node else {
            throw reader.error("cluster", "expected a cluster name or a mapping with 'name' and 'slurm_conf', got \(reader.kind(of: node))", at: node)
        }
        var name: String?
        var conf: String?
        for entry in try reader.mapping(node, "cluster") {
            switch entry.key {
            case "name": name = try reader.string(entry.value, "cluster.name", pattern: .identifier)
            case "slurm_conf":
                let path = try reader.string(entry.value, "cluster.slurm_conf")
                guard path.hasPrefix("/"), !path.contains(where: \.isWhitespace) else {
                    throw reader.error("cluster.slurm_conf", "'\(path)' must be an absolute path (without blanks) to the cluster's slurm.conf", at: entry.value)
                }
                conf = path
            default:
                try reader.rejectUnknown(entry.key, keyNode: entry.keyNode, field: "cluster", known: knownClusterKeys)
            }
        }
        guard let name else { throw reader.error("cluster.name", "missing (the cluster's ClusterName)", at: node) }
        return SlurmCluster(name: name, slurmConf: conf)
    }

    private static func agent(_ node: Node, reader: ProfileReader) throws(ProfileError) -> AgentOptions {
        var options = AgentOptions()
        for entry in try reader.mapping(node, "agent") {
            switch entry.key {
            case "heartbeat_interval":
                options.heartbeatInterval = try reader.int(entry.value, "agent.heartbeat_interval", in: 1...3600)
            case "drain_signal_seconds":
                options.drainSignalSeconds = try reader.int(entry.value, "agent.drain_signal_seconds", in: 1...Int(UInt16.max))
            default:
                try reader.rejectUnknown(entry.key, keyNode: entry.keyNode, field: "agent", known: knownAgentKeys)
            }
        }
        return options
    }

}
