extension ProfileOverrides {
    /// Picks Slurm-style flags out of `arguments` (`--nodes=2`, `--nodes 2`,
    /// `-N2`, `-N 2`, ...); returns the overrides and the arguments it did not
    /// recognise, in order, so a CLI can parse the rest itself.
    public static func parse(arguments: [String]) throws(ProfileError) -> (overrides: ProfileOverrides, remaining: [String]) {
        var overrides = ProfileOverrides()
        var remaining: [String] = []
        var i = 0
        func bad(_ flag: String, _ reason: String) -> ProfileError {
            ProfileError(file: "command line", field: flag, reason: reason)
        }
        while i < arguments.count {
            let argument = arguments[i]
            guard let (flag, inlineValue) = Self.split(argument) else {
                remaining.append(argument)
                i += 1
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else {
                guard i + 1 < arguments.count else { throw bad(flag.canonical, "needs a value") }
                i += 1
                value = arguments[i]
            }
            switch flag {
            case .nodes:
                guard let n = Int(value) else { throw bad("--nodes", "'\(value)' is not a whole number") }
                overrides.nodes = n
            case .time:
                if let minutes = Int(value) {
                    guard minutes > 0 else { throw bad("--time", "must be longer than zero") }
                    overrides.walltime = SlurmDuration(seconds: minutes * 60)
                } else {
                    do {
                        overrides.walltime = try SlurmDuration(parsing: value)
                    } catch {
                        throw bad("--time", "'\(value)': \(error.reason)")
                    }
                }
            case .partition: overrides.partition = value
            case .account: overrides.account = value
            case .qos: overrides.qos = value
            case .constraint: overrides.constraint = value
            case .gpusPerNode:
                guard let n = Int(value) else { throw bad("--gpus-per-node", "'\(value)' is not a whole number") }
                overrides.gpusPerNode = n
            }
            i += 1
        }
        return (overrides, remaining)
    }

    enum Flag: CaseIterable {
        case nodes, time, partition, account, qos, constraint, gpusPerNode

        var long: [String] {
            switch self {
            case .nodes: ["--nodes"]
            case .time: ["--time", "--walltime"]
            case .partition: ["--partition"]
            case .account: ["--account"]
            case .qos: ["--qos"]
            case .constraint: ["--constraint"]
            case .gpusPerNode: ["--gpus-per-node"]
            }
        }

        var short: String? {
            switch self {
            case .nodes: "-N"
            case .time: "-t"
            case .partition: "-p"
            case .account: "-A"
            case .qos: "-q"
            case .constraint: "-C"
            case .gpusPerNode: nil
            }
        }

        var canonical: String { long[0] }
    }

    private static func split(_ argument: String) -> (Flag, String?)? {
        for flag in Flag.allCases {
            for long in flag.long {
                if argument == long { return (flag, nil) }
                if argument.hasPrefix(long + "=") { return (flag, String(argument.dropFirst(long.count + 1))) }
            }
            if let short = flag.short {
                if argument == short { return (flag, nil) }
                if argument.hasPrefix(short), argument.count > short.count {
                    return (flag, String(argument.dropFirst(short.count)))
                }
            }
        }
        return nil
    }
}
