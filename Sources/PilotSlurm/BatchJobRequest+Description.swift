extension BatchJobRequest {
    /// The job descriptor fields `LibSlurmClient` sets, as `field = value`, in the
    /// order of `fill`. Environment and script are summarised, not listed.
    public var descriptorFields: [(field: String, value: String)] {
        var fields: [(String, String)] = []
        func add(_ field: String, _ value: String?) { if let value { fields.append((field, value)) } }
        add("name", name)
        add("partition", partition)
        add("account", account)
        add("qos", qos)
        add("features", constraint)
        add("reservation", reservation)
        add("licenses", licenses)
        add("dependency", dependency)
        add("comment", comment)
        add("mail_type", mailType.flatMap(SbatchOptionCatalog.mailType).map { "\($0) (\(mailType ?? ""))" })
        add("mail_user", mailUser)
        add("wckey", wckey)
        add("nice", nice.map { "NICE_OFFSET\($0 < 0 ? "" : "+")\($0)" })
        add("exc_nodes", excludeNodes)
        add("req_nodes", requiredNodes)
        add("min_nodes", String(nodes))
        add("max_nodes", String(nodes))
        if let perNode = ntasksPerNode {
            add("ntasks_per_node", String(perNode))
            add("num_tasks", String(perNode * nodes))
        }
        add("cpus_per_task", cpusPerTask.map(String.init))
        add("tres_per_node", LibSlurmClient.tresPerNode(self))
        add("tres_per_job", gpusPerJob.map { "gres:gpu:\($0)" })
        add("time_limit", timeLimitMinutes.map(String.init))
        add("pn_min_memory", memoryPerNodeMiB.map(String.init) ?? memoryPerCPUMiB.map { "\($0)|MEM_PER_CPU" })
        switch exclusive {
        case .node: add("shared", "JOB_SHARED_NONE")
        case .user: add("shared", "JOB_SHARED_USER")
        case .mcs: add("shared", "JOB_SHARED_MCS")
        case nil: break
        }
        if hold { add("priority", "0") }
        add("requeue", requeue.map { $0 ? "1" : "0" })
        if let warn = signalBeforeEnd {
            add("warn_signal", String(warn.signal))
            add("warn_time", String(warn.seconds))
            add("warn_flags", warn.target == .batchShell ? "KILL_JOB_BATCH" : "0")
        }
        add("work_dir", workingDirectory)
        add("std_out", standardOutput)
        add("std_err", standardError)
        return fields
    }

    /// What a dry run prints and the golden files hold: the path, and either the
    /// job descriptor or the sbatch command line.
    /// `environmentKnown == false` when the environment is the submitter's and
    /// not in this request (a client showing what its manager will send).
    public func requestDescription(environmentKnown: Bool = true) -> String {
        var lines = ["path: \(submissionPath)"]
        switch submissionPath {
        case .libslurm:
            lines.append("job descriptor:")
            lines += descriptorFields.map { "  \($0.field) = \($0.value)" }
        case .sbatch, .cluster:
            lines.append("command (then a temporary copy of the script):")
            lines += sbatchArguments.map { "  \($0)" }
        }
        if environmentKnown {
            let slurmConf = environment["SLURM_CONF"].map { ", SLURM_CONF=\($0)" } ?? ""
            lines.append("environment: \(environment.count) variables\(slurmConf)")
        } else {
            lines.append("environment: the manager's (sbatch's --export=ALL)")
        }
        lines.append("script: \(script.split(separator: "\n", omittingEmptySubsequences: false).count) lines")
        return lines.joined(separator: "\n") + "\n"
    }
}
