extension ClusterProfile {
    /// Adds an sbatch option to the profile. One that a profile key covers
    /// (`--partition`, `--time`, ...) sets that key, so the rest of SwiftPilot
    /// (the agent's srun line, the manager's node count) sees the same value;
    /// any other replaces an earlier option of that name (sbatch's last one wins)
    /// or is appended.
    public mutating func add(_ option: SbatchOption) throws(ProfileError) {
        func bad(_ reason: String) -> ProfileError {
            ProfileError(file: sourcePath, field: "sbatch.\(option.name)", reason: reason)
        }
        if let reason = SbatchOptionCatalog.pilotOwned[option.name] {
            throw bad("--\(option.name) is set by SwiftPilot: \(reason)")
        }
        func checked(_ pattern: StringPattern) throws(ProfileError) -> String {
            guard let value = option.value else { throw bad("needs a value") }
            guard pattern.matches(value) else { throw bad("'\(value)' \(pattern.explanation)") }
            return value
        }
        func count(_ range: ClosedRange<Int>) throws(ProfileError) -> Int {
            guard let value = option.value, let n = Int(value), range.contains(n) else {
                throw bad("'\(option.value ?? "")' is not a whole number in \(range.lowerBound)...\(range.upperBound)")
            }
            return n
        }
        switch (option.name, option.value) {
        case ("nodes", _): nodes = try count(1...100_000)
        case ("time", let value?):
            if let minutes = Int(value), minutes > 0 {
                walltime = SlurmDuration(seconds: minutes * 60)
            } else {
                do { walltime = try SlurmDuration(parsing: value) } catch { throw bad("'\(value)': \(error.reason)") }
            }
        case ("partition", _): partition = try checked(.slurmName)
        case ("account", _): account = try checked(.slurmName)
        case ("qos", _): qos = try checked(.slurmName)
        case ("constraint", _): constraint = try checked(.constraint)
        case ("cpus-per-task", _): coresPerNode = try count(1...4096)
        case ("gpus-per-node", let value?) where Int(value) != nil: gpusPerNode = try count(0...64)
        case ("mem", let value?):
            guard let mib = MemorySize.mebibytes(value) else { throw bad("'\(value)' is not a size like 4G or 512M") }
            memoryPerNodeMiB = mib
        case ("exclusive", nil): exclusive = true
        default:
            sbatch.removeAll { $0.name == option.name }
            sbatch.append(option)
        }
    }
}
