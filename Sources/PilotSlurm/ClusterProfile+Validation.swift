extension ClusterProfile {
    /// Cross-field rules, shared with `applying(_:)` so overrides cannot break them.
    func validate(lineOf: (String) -> Int? = { _ in nil }) throws(ProfileError) {
        if agent.drainSignalSeconds >= walltime.seconds {
            throw ProfileError(file: sourcePath, field: "agent.drain_signal_seconds",
                               reason: "\(agent.drainSignalSeconds) s is not shorter than the walltime \(walltime) (\(walltime.seconds) s)",
                               line: lineOf("agent"))
        }
        if agent.drainSignalSeconds > Int(UInt16.max) {
            throw ProfileError(file: sourcePath, field: "agent.drain_signal_seconds",
                               reason: "Slurm's --signal accepts at most \(UInt16.max) s", line: lineOf("agent"))
        }
    }
}
