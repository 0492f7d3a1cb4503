/// What SwiftPilot knows about sbatch's options: their spellings, which ones a
/// pilot sets itself, which ones a profile key already covers, and which ones
/// libslurm's job descriptor can carry. Every other option is still valid; it
/// only makes the submission go through the `sbatch` command.
public enum SbatchOptionCatalog {
    /// sbatch's one-letter options (man sbatch, 22.05).
    static let shortNames: [Character: String] = [
        "A": "account", "B": "extra-node-info", "C": "constraint", "D": "chdir", "F": "nodefile", "G": "gpus",
        "H": "hold", "I": "immediate", "J": "job-name", "L": "licenses", "M": "clusters", "N": "nodes",
        "O": "overcommit", "Q": "quiet", "S": "core-spec", "W": "wait", "a": "array", "b": "begin",
        "c": "cpus-per-task", "d": "dependency", "e": "error", "h": "help", "i": "input", "k": "no-kill",
        "m": "distribution", "n": "ntasks", "o": "output", "p": "partition", "q": "qos", "s": "oversubscribe",
        "t": "time", "v": "verbose", "w": "nodelist", "x": "exclude",
    ]

    /// Other spellings sbatch accepts for the same option.
    static let longAliases: [String: String] = [
        "cluster": "clusters", "workdir": "chdir", "share": "oversubscribe", "licences": "licenses",
        "walltime": "time", "gpus-per-job": "gpus",
    ]

    static func longName(forShort letter: Character) -> String? { shortNames[letter] }

    /// `M` → `clusters`, `mail_type` → `mail-type`, `cluster` → `clusters`.
    public static func canonicalName(_ name: String) -> String {
        if name.count == 1, let letter = name.first, let long = shortNames[letter] { return long }
        let dashed = name.replacingOccurrences(of: "_", with: "-")
        return longAliases[dashed] ?? dashed
    }

    /// Options the pilot's job script sets itself, or that would change what a
    /// pilot is (an array of pilots, a blocking submit); a profile cannot give them.
    public static let pilotOwned: [String: String] = [
        "job-name": "the manager names pilot jobs pilot-<id> to find them again",
        "output": "the pilot's log goes to the manager's pilots/<id> directory",
        "error": "the pilot's log goes to the manager's pilots/<id> directory",
        "input": "a pilot reads no standard input",
        "chdir": "a pilot runs in the manager's pilots/<id> directory",
        "signal": "the pilot's walltime warning is set by agent.drain_signal_seconds",
        "array": "a pilot is one job; submit several pilots instead",
        "wait": "the manager tracks pilots itself and must not block on one",
        "wrap": "a pilot runs its own job script",
        "parsable": "the submitter chooses its output format",
        "ntasks-per-node": "a pilot runs one agent per node",
        "ntasks": "a pilot runs one agent per node",
        "test-only": "use `pilot pilots submit --dry-run`",
        "export": "a pilot's environment is the manager's, which agents need",
        "help": "not a job option", "usage": "not a job option", "version": "not a job option",
    ]

    /// Options a profile key already covers; the `sbatch:` map may give them
    /// instead of the key, but not together with it.
    public static let profileKeys: [String: String] = [
        "nodes": "nodes", "time": "walltime", "partition": "partition", "account": "account", "qos": "qos",
        "constraint": "constraint", "cpus-per-task": "cores_per_node", "gpus-per-node": "gpus_per_node",
        "mem": "memory_per_node", "exclusive": "exclusive",
    ]

    /// sbatch options that take no value.
    static let flags: Set<String> = [
        "requeue", "no-requeue", "hold", "contiguous", "overcommit", "spread-job", "use-min-nodes", "wait",
        "parsable", "test-only", "quiet", "verbose", "ignore-pbs", "reboot", "oversubscribe", "immediate",
        "exclusive", "no-kill", "get-user-env", "wait-all-nodes", "help", "usage",
    ]

    /// Mail event names (`--mail-type`) as libslurm's MAIL_JOB_* bits.
    static let mailTypeBits: [String: UInt16] = [
        "NONE": 0, "BEGIN": 1 << 0, "END": 1 << 1, "FAIL": 1 << 2, "REQUEUE": 1 << 3, "TIME_LIMIT": 1 << 4,
        "TIME_LIMIT_90": 1 << 5, "TIME_LIMIT_80": 1 << 6, "TIME_LIMIT_50": 1 << 7, "STAGE_OUT": 1 << 8,
        "ARRAY_TASKS": 1 << 9, "INVALID_DEPEND": 1 << 10,
        "ALL": (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 8) | (1 << 10),
    ]

    static func mailType(_ value: String) -> UInt16? {
        var bits: UInt16 = 0
        for part in value.split(separator: ",") {
            guard let bit = mailTypeBits[part.uppercased()] else { return nil }
            bits |= bit
        }
        return value.isEmpty ? nil : bits
    }

    /// Signal names `--signal` accepts, as numbers (Linux).
    static let signalNumbers: [String: Int32] = [
        "HUP": 1, "INT": 2, "QUIT": 3, "KILL": 9, "USR1": 10, "USR2": 12, "TERM": 15, "CONT": 18, "STOP": 19,
        "TSTP": 20, "URG": 23, "XCPU": 24, "WINCH": 28,
    ]

    /// Puts `option` into the job-descriptor fields of `request`; false when the
    /// descriptor has no field for it (or not for this form of its value), so only
    /// `sbatch` can submit it.
    static func apply(_ option: SbatchOption, to request: inout BatchJobRequest) -> Bool {
        let v = option.value
        switch (option.name, v) {
        case ("job-name", let v?): request.name = v
        case ("nodes", let v?):
            guard let n = Int(v), n >= 1 else { return false }
            request.nodes = n
        case ("ntasks-per-node", let v?):
            guard let n = Int(v), n >= 1 else { return false }
            request.ntasksPerNode = n
        case ("cpus-per-task", let v?):
            guard let n = Int(v), n >= 1 else { return false }
            request.cpusPerTask = n
        case ("gpus-per-node", let v?):
            // A typed count (`a100:4`) is a GRES of that type on every node.
            if let n = Int(v) { request.gpusPerNode = n } else { request.gres.append("gpu:\(v)") }
        case ("gres", let v?):
            guard v.lowercased() != "none" else { return false }
            request.gres += v.split(separator: ",").map(String.init)
        case ("gpus", let v?): request.gpusPerJob = v
        case ("time", let v?):
            if let minutes = Int(v), minutes > 0 { request.timeLimitMinutes = UInt32(minutes); return true }
            guard let d = try? SlurmDuration(parsing: v) else { return false }
            request.timeLimitMinutes = d.minutesRoundedUp
        case ("partition", let v?): request.partition = v
        case ("account", let v?): request.account = v
        case ("qos", let v?): request.qos = v
        case ("constraint", let v?): request.constraint = v
        case ("reservation", let v?): request.reservation = v
        case ("dependency", let v?): request.dependency = v
        case ("comment", let v?): request.comment = v
        case ("licenses", let v?): request.licenses = v
        case ("mail-type", let v?):
            guard mailType(v) != nil else { return false }
            request.mailType = v
        case ("mail-user", let v?): request.mailUser = v
        case ("wckey", let v?): request.wckey = v
        case ("nice", let v?):
            guard let n = Int32(v), abs(n) < 2_147_483_645 else { return false }
            request.nice = n
        case ("nice", nil): request.nice = 100
        case ("exclude", let v?): request.excludeNodes = v
        case ("nodelist", let v?): request.requiredNodes = v
        case ("mem", let v?):
            guard let mib = MemorySize.mebibytes(v) else { return false }
            request.memoryPerNodeMiB = mib
        case ("mem-per-cpu", let v?):
            guard let mib = MemorySize.mebibytes(v) else { return false }
            request.memoryPerCPUMiB = mib
        case ("exclusive", nil): request.exclusive = .node
        case ("exclusive", let v?):
            guard let mode = BatchJobRequest.Exclusivity(rawValue: v) else { return false }
            request.exclusive = mode
        case ("requeue", nil): request.requeue = true
        case ("no-requeue", nil): request.requeue = false
        case ("hold", nil): request.hold = true
        case ("output", let v?): request.standardOutput = v
        case ("error", let v?): request.standardError = v
        case ("chdir", let v?):
            guard v.hasPrefix("/") else { return false }
            request.workingDirectory = v
        case ("signal", let v?):
            guard let signal = signalBeforeEnd(v) else { return false }
            request.signalBeforeEnd = signal
        default:
            return false
        }
        return true
    }

    /// `[B:]SIG[@SECONDS]` as `--signal` takes it (R: and the default 60 s included).
    static func signalBeforeEnd(_ text: String) -> SignalBeforeEnd? {
        var rest = Substring(text)
        var target = SignalBeforeEnd.Target.steps
        if rest.hasPrefix("B:") {
            target = .batchShell
            rest = rest.dropFirst(2)
        } else if rest.hasPrefix("R:") {
            return nil
        }
        let parts = rest.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        var name = parts[0].uppercased()
        if name.hasPrefix("SIG") { name = String(name.dropFirst(3)) }
        guard let number = Int32(name) ?? signalNumbers[name], (1...64).contains(number) else { return nil }
        var seconds: UInt16 = 60
        if parts.count == 2 {
            guard let s = UInt16(parts[1]) else { return nil }
            seconds = s
        }
        return SignalBeforeEnd(signal: number, seconds: seconds, target: target)
    }
}

extension SbatchOptionCatalog {
    /// Options known to need a value, so `name: true` in a profile is a mistake.
    static func knownWithValue(_ name: String) -> Bool {
        !flags.contains(name) && (Set(shortNames.values).contains(name) || valued.contains(name))
    }

    static let valued: Set<String> = [
        "gres", "gpus-per-node", "gpus-per-task", "gpus-per-socket", "cpus-per-gpu", "mem", "mem-per-cpu",
        "mem-per-gpu", "reservation", "comment", "mail-type", "mail-user", "wckey", "tmp", "prefer",
        "gres-flags", "cluster-constraint", "deadline", "delay-boot", "acctg-freq", "bb", "bbf", "container",
        "hint", "mcs-label", "network", "power", "priority", "profile", "propagate", "switches", "thread-spec",
        "threads-per-core", "time-min", "tres-per-task", "uid", "gid", "kill-on-invalid-dep", "open-mode",
        "cores-per-socket", "sockets-per-node", "ntasks-per-core", "ntasks-per-socket", "ntasks-per-gpu",
    ]
}
