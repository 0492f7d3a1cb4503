extension BatchJobRequest {
    /// The request as sbatch options, in a fixed order: what `sbatch` is given on
    /// the command line on the sbatch path, and what a dry run shows.
    public var options: [SbatchOption] {
        var list: [SbatchOption?] = []
        func add(_ name: String, _ value: String?) {
            if let value { list.append(SbatchOption(name: name, value: value)) }
        }
        add("job-name", name)
        add("nodes", String(nodes))
        add("ntasks-per-node", ntasksPerNode.map(String.init))
        add("cpus-per-task", cpusPerTask.map(String.init))
        if let gpusPerNode, gpusPerNode > 0 { add("gpus-per-node", String(gpusPerNode)) }
        if !gres.isEmpty { add("gres", gres.joined(separator: ",")) }
        add("gpus", gpusPerJob)
        add("mem", memoryPerNodeMiB.map { "\($0)M" })
        add("mem-per-cpu", memoryPerCPUMiB.map { "\($0)M" })
        add("time", timeLimitMinutes.map(String.init))
        add("partition", partition)
        add("account", account)
        add("qos", qos)
        add("constraint", constraint)
        add("reservation", reservation)
        add("licenses", licenses)
        add("dependency", dependency)
        add("comment", comment)
        add("mail-type", mailType)
        add("mail-user", mailUser)
        add("wckey", wckey)
        add("nice", nice.map(String.init))
        add("exclude", excludeNodes)
        add("nodelist", requiredNodes)
        switch exclusive {
        case .node: list.append(SbatchOption(name: "exclusive", value: nil))
        case .user, .mcs: add("exclusive", exclusive?.rawValue)
        case nil: break
        }
        if hold { list.append(SbatchOption(name: "hold", value: nil)) }
        if let requeue { list.append(SbatchOption(name: requeue ? "requeue" : "no-requeue", value: nil)) }
        add("signal", signalBeforeEnd?.sbatchValue)
        add("chdir", workingDirectory)
        add("output", standardOutput)
        add("error", standardError)
        return list.compactMap { $0 } + sbatchOnly
    }

    /// The `sbatch` command line for the sbatch path; `SbatchCommand` appends the
    /// script as a temporary file.
    /// `--parsable` prints `JOBID[;CLUSTER]`. Options given here override the
    /// script's `#SBATCH` lines, so the request, not the script, decides.
    public var sbatchArguments: [String] {
        ["sbatch", "--parsable"] + options.map(\.argument)
    }
}
