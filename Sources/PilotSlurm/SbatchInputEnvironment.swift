/// sbatch's INPUT ENVIRONMENT VARIABLES (man sbatch, Slurm 22.05): each sets an
/// option, ranking above the script's `#SBATCH` lines and below the command
/// line. For a pilot that means above the profile and below `pilots submit` flags.
public enum SbatchInputEnvironment {
    enum Form: Sendable { case value, flag }

    static let variables: [(variable: String, option: String, form: Form)] = [
        ("SBATCH_ACCOUNT", "account", .value), ("SBATCH_ACCTG_FREQ", "acctg-freq", .value),
        ("SBATCH_ARRAY_INX", "array", .value), ("SBATCH_BATCH", "batch", .value),
        ("SBATCH_CLUSTERS", "clusters", .value), ("SLURM_CLUSTERS", "clusters", .value),
        ("SBATCH_CONSTRAINT", "constraint", .value), ("SBATCH_CONTAINER", "container", .value),
        ("SBATCH_CORE_SPEC", "core-spec", .value), ("SBATCH_CPUS_PER_GPU", "cpus-per-gpu", .value),
        ("SBATCH_DEBUG", "verbose", .flag), ("SBATCH_DELAY_BOOT", "delay-boot", .value),
        ("SBATCH_DISTRIBUTION", "distribution", .value), ("SBATCH_EXCLUSIVE", "exclusive", .value),
        ("SBATCH_EXPORT", "export", .value), ("SBATCH_GET_USER_ENV", "get-user-env", .value),
        ("SBATCH_GPU_BIND", "gpu-bind", .value), ("SBATCH_GPU_FREQ", "gpu-freq", .value),
        ("SBATCH_GPUS", "gpus", .value), ("SBATCH_GPUS_PER_NODE", "gpus-per-node", .value),
        ("SBATCH_GPUS_PER_TASK", "gpus-per-task", .value), ("SBATCH_GRES", "gres", .value),
        ("SBATCH_GRES_FLAGS", "gres-flags", .value), ("SBATCH_HINT", "hint", .value),
        ("SBATCH_IGNORE_PBS", "ignore-pbs", .flag), ("SBATCH_JOB_NAME", "job-name", .value),
        ("SBATCH_MEM_BIND", "mem-bind", .value), ("SBATCH_MEM_PER_CPU", "mem-per-cpu", .value),
        ("SBATCH_MEM_PER_GPU", "mem-per-gpu", .value), ("SBATCH_MEM_PER_NODE", "mem", .value),
        ("SBATCH_NETWORK", "network", .value), ("SBATCH_NO_KILL", "no-kill", .flag),
        ("SBATCH_NO_REQUEUE", "no-requeue", .flag), ("SBATCH_OPEN_MODE", "open-mode", .value),
        ("SBATCH_OVERCOMMIT", "overcommit", .flag), ("SBATCH_PARTITION", "partition", .value),
        ("SBATCH_POWER", "power", .value), ("SBATCH_PROFILE", "profile", .value), ("SBATCH_QOS", "qos", .value),
        ("SBATCH_REQ_SWITCH", "switches", .value), ("SBATCH_REQUEUE", "requeue", .flag),
        ("SBATCH_RESERVATION", "reservation", .value), ("SBATCH_SIGNAL", "signal", .value),
        ("SBATCH_SPREAD_JOB", "spread-job", .flag), ("SBATCH_THREAD_SPEC", "thread-spec", .value),
        ("SBATCH_THREADS_PER_CORE", "threads-per-core", .value), ("SBATCH_TIMELIMIT", "time", .value),
        ("SBATCH_USE_MIN_NODES", "use-min-nodes", .flag), ("SBATCH_WAIT", "wait", .flag),
        ("SBATCH_WAIT_ALL_NODES", "wait-all-nodes", .value), ("SBATCH_WCKEY", "wckey", .value),
    ]

    /// The options the environment sets, in the table's order, and the variables
    /// left out with the reason (a pilot sets that option itself, or the value is unusable).
    public static func options(from environment: [String: String])
        -> (options: [(variable: String, option: SbatchOption)], ignored: [(variable: String, reason: String)]) {
        var options: [(String, SbatchOption)] = []
        var ignored: [(String, String)] = []
        var seen: Set<String> = []
        for (variable, name, form) in variables {
            guard let raw = environment[variable], !raw.isEmpty else { continue }
            // SBATCH_CLUSTERS wins over SLURM_CLUSTERS, as in sbatch.
            guard seen.insert(name).inserted else { continue }
            if let reason = SbatchOptionCatalog.pilotOwned[name] {
                ignored.append((variable, reason))
                continue
            }
            if name == "verbose" {
                ignored.append((variable, "sbatch's own verbosity; a pilot is submitted without it"))
                continue
            }
            let value: String?
            switch form {
            case .flag: value = nil
            case .value:
                // sbatch takes SBATCH_EXCLUSIVE=user|mcs as modes and anything else as plain --exclusive.
                value = name == "exclusive" && raw != "user" && raw != "mcs" ? nil : raw
            }
            guard let option = SbatchOption(name: name, value: value) else {
                ignored.append((variable, "'\(raw)' is not a single-line value"))
                continue
            }
            options.append((variable, option))
        }
        return (options, ignored)
    }
}

extension ClusterProfile {
    /// The profile with the SBATCH_* variables of `environment` applied over it,
    /// and one note per variable used or ignored, for the job script's header.
    public func applyingSbatchEnvironment(_ environment: [String: String]) throws(ProfileError) -> (profile: ClusterProfile, notes: [String]) {
        let (options, ignored) = SbatchInputEnvironment.options(from: environment)
        var result = self
        var notes: [String] = []
        for (variable, option) in options {
            do {
                try result.add(option)
            } catch {
                throw ProfileError(file: "environment", field: variable, reason: error.reason)
            }
            notes.append("\(variable) → \(option.directive)")
        }
        notes += ignored.map { "\($0.variable) ignored: \($0.reason)" }
        return (result, notes)
    }
}
