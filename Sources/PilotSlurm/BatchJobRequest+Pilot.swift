extension BatchJobRequest {
    /// The libslurm request for a pilot job. libslurm ignores `#SBATCH` lines,
    /// so everything the rendered script declares is repeated here.
    ///
    /// Of `sbatch_extra`, only options with a libslurm field are accepted;
    /// anything else throws rather than being dropped silently.
    public static func pilot(profile: ClusterProfile, overrides: ProfileOverrides = ProfileOverrides(),
                             context: JobScriptContext, script: String,
                             environment: [String: String]) throws(ProfileError) -> BatchJobRequest {
        let p = try profile.applying(overrides)
        var request = BatchJobRequest(
            script: script, name: "pilot-\(context.pilotID)", partition: p.partition, account: p.account,
            qos: p.qos, constraint: p.constraint, nodes: p.nodes, ntasksPerNode: 1, cpusPerTask: p.coresPerNode,
            gpusPerNode: p.gpusPerNode > 0 ? p.gpusPerNode : nil, timeLimitMinutes: p.walltime.minutesRoundedUp,
            workingDirectory: context.logDirectory, standardOutput: context.outputPath,
            environment: environment,
            // Batch shell only: the job script forwards it as a drain, so tasks keep running (see the template).
            signalBeforeEnd: SignalBeforeEnd(signal: 10, seconds: UInt16(clamping: p.agent.drainSignalSeconds),
                                             target: .batchShell),
            exclusive: p.exclusive, memoryPerNodeMiB: p.memoryPerNodeMiB)
        for (i, text) in p.sbatchExtra.enumerated() {
            guard let option = SbatchOption(text) else { continue }
            func bad(_ reason: String) -> ProfileError {
                ProfileError(file: p.sourcePath, field: "sbatch_extra[\(i)]", reason: reason)
            }
            switch (option.name, option.value) {
            case ("exclusive", nil): request.exclusive = true
            case ("requeue", nil): request.requeue = true
            case ("no-requeue", nil): request.requeue = false
            case ("reservation", let value?): request.reservation = value
            case ("dependency", let value?): request.dependency = value
            case ("comment", let value?): request.comment = value
            case ("mem", let value?):
                guard let mib = MemorySize.mebibytes(value) else { throw bad("'\(value)' is not a memory size") }
                request.memoryPerNodeMiB = mib
            default:
                throw bad("'\(text)' cannot be submitted through libslurm; supported: --exclusive, --requeue, --no-requeue, --reservation=, --dependency=, --comment=, --mem=")
            }
        }
        return request
    }
}
