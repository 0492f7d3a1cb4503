extension ClusterProfile {
    /// The profile with `overrides` applied and re-validated; errors name the flag.
    public func applying(_ overrides: ProfileOverrides) throws(ProfileError) -> ClusterProfile {
        func bad(_ flag: String, _ reason: String) -> ProfileError {
            ProfileError(file: "command line (over \(sourcePath))", field: flag, reason: reason)
        }
        func checked(_ value: String?, _ flag: String, _ pattern: StringPattern) throws(ProfileError) -> String? {
            guard let value else { return nil }
            guard pattern.matches(value) else { throw bad(flag, "'\(value)' \(pattern.explanation)") }
            return value
        }
        var result = self
        if let nodes = overrides.nodes {
            guard (1...100_000).contains(nodes) else { throw bad("--nodes", "\(nodes) is out of range 1...100000") }
            result.nodes = nodes
        }
        if let gpus = overrides.gpusPerNode {
            guard (0...64).contains(gpus) else { throw bad("--gpus-per-node", "\(gpus) is out of range 0...64") }
            result.gpusPerNode = gpus
        }
        if let walltime = overrides.walltime { result.walltime = walltime }
        result.partition = try checked(overrides.partition, "--partition", .slurmName) ?? partition
        result.account = try checked(overrides.account, "--account", .slurmName) ?? account
        result.qos = try checked(overrides.qos, "--qos", .slurmName) ?? qos
        result.constraint = try checked(overrides.constraint, "--constraint", .constraint) ?? constraint
        do {
            try result.validate()
        } catch {
            throw bad(overrides.walltime != nil ? "--time" : error.field, error.reason)
        }
        return result
    }
}
