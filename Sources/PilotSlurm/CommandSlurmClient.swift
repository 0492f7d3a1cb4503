import Foundation

/// `SlurmClient` for a cluster other than the manager's own: Slurm's commands (`sbatch`,
/// `squeue`, `scancel`) run with that cluster's `SLURM_CONF`, or with `--clusters NAME` where a
/// slurmdbd federates the clusters. libslurm reads one configuration per process
/// (`slurm_init` once), so a second cluster cannot share the manager's libslurm. Blocking:
/// called on the manager's Slurm thread, like libslurm's RPCs.
public final class CommandSlurmClient: SlurmClient {
    public let cluster: SlurmCluster
    private let bin: String?
    private let environment: [String: String]

    /// `binDirectory`: where `sbatch`, `squeue` and `scancel` are (nil: on `PATH`).
    public init(cluster: SlurmCluster, binDirectory: String? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.cluster = cluster
        self.bin = binDirectory
        var env = environment.filter { !$0.key.hasPrefix("SBATCH_") && !$0.key.hasPrefix("SQUEUE_") && $0.key != "SLURM_CLUSTERS" }
        if let conf = cluster.slurmConf {
            env["SLURM_CONF"] = conf
            // A configless server of the manager's cluster would win over the file.
            env["SLURM_CONF_SERVER"] = nil
        }
        self.environment = env
    }

    /// `--clusters NAME` for a federated cluster; nothing when it has its own slurm.conf.
    private var clusterArguments: [String] { cluster.slurmConf == nil ? ["--clusters=\(cluster.name)"] : [] }

    public func submit(_ job: BatchJobRequest) throws(SlurmError) -> SlurmJobID {
        try job.validate()
        var job = job
        if let conf = cluster.slurmConf {
            job.environment["SLURM_CONF"] = conf
            job.environment["SLURM_CONF_SERVER"] = nil
        }
        let sbatch = SbatchCommand(executable: bin.map { "\($0)/sbatch" }, environment: environment)
        return try sbatch.submit(job, slurmConf: cluster.slurmConf)
    }

    public func job(_ id: SlurmJobID) throws(SlurmError) -> SlurmJobInfo? {
        try jobs([id]).first
    }

    /// One `squeue` for all jobs of this cluster the controller still knows (no `--jobs`: squeue
    /// fails the whole call when one id is unknown), filtered to `ids`.
    public func jobs(_ ids: [SlurmJobID]) throws(SlurmError) -> [SlurmJobInfo] {
        if ids.isEmpty { return [] }
        let r = try run("squeue", clusterArguments + ["--noheader", "--states=all", "--format=\(Self.squeueFormat)"])
        guard r.status == 0 else {
            throw SlurmError(.queryFailed, "squeue on \(cluster) failed (exit \(r.status))", slurmErrorText: r.stderr.isEmpty ? nil : r.stderr)
        }
        let infos = Self.parse(squeue: r.stdout)
        let byID = Dictionary(infos.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return ids.compactMap { byID[$0] }
    }

    public func cancel(_ id: SlurmJobID, signal: Int32?) throws(SlurmError) {
        // scancel -s signals the job's steps, not the batch shell, like libslurm's KILL_STEPS_ONLY.
        let args = clusterArguments + (signal.map { ["--signal=\($0)"] } ?? []) + ["\(id)"]
        let r = try run("scancel", args)
        let text = r.stderr
        if text.contains("already completing or completed") { return }
        if text.contains("Invalid job id") {
            throw SlurmError(.unknownJob, "job \(id) is unknown to \(cluster)", slurmErrorText: text)
        }
        guard r.status == 0, !text.contains("error") else {
            throw SlurmError(.cancelFailed, "scancel \(id) on \(cluster) failed (exit \(r.status))", slurmErrorText: text.isEmpty ? nil : text)
        }
    }

    public func version() throws(SlurmError) -> String {
        let r = try run("squeue", ["--version"])
        guard r.status == 0 else { throw SlurmError(.controllerUnreachable, "squeue --version failed for \(cluster)", slurmErrorText: r.stderr) }
        return r.stdout.split(separator: " ").last.map(String.init) ?? r.stdout
    }

    public func expandHostlist(_ s: String) throws(SlurmError) -> [String] {
        try LibSlurmClient.expandHostlist(s)
    }

    // MARK: - squeue output

    /// id, name, state, reason, nodes, node count, submit, start, end, time limit.
    static let squeueFormat = "%i|%j|%T|%r|%N|%D|%V|%S|%e|%l"

    /// Lines that are not a job (`CLUSTER: name` headers of `--clusters`) are skipped.
    static func parse(squeue output: String) -> [SlurmJobInfo] {
        output.split(separator: "\n").compactMap { line -> SlurmJobInfo? in
            let f = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard f.count == 10, let id = SlurmJobID(f[0]) else { return nil }
            let nodes = (try? LibSlurmClient.expandHostlist(f[4] == "(null)" ? "" : f[4])) ?? []
            return SlurmJobInfo(id: id, name: f[1], state: SlurmJobState(slurmName: f[2]), stateReason: f[3], nodes: nodes,
                                nodeCount: Int(f[5]) ?? nodes.count, submitTime: date(f[6]), startTime: date(f[7]),
                                endTime: date(f[8]), timeLimitMinutes: minutes(f[9]))
        }
    }

    /// squeue prints local times without a zone, `N/A` or `Unknown` when there is none.
    static func date(_ s: String) -> Date? {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone.current
        f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return f.date(from: s)
    }

    static func minutes(_ s: String) -> UInt32? {
        guard let d = try? SlurmDuration(parsing: s), d.seconds > 0 else { return nil }
        return UInt32((d.seconds + 59) / 60)
    }

    // MARK: - Running a command

    private func run(_ command: String, _ args: [String]) throws(SlurmError) -> (status: Int32, stdout: String, stderr: String) {
        let path = bin.map { "\($0)/\(command)" } ?? SbatchCommand.which(command, path: environment["PATH"] ?? "/usr/bin:/bin") ?? "/usr/bin/\(command)"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = args
        process.environment = environment
        let output = Pipe(), errors = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch {
            throw SlurmError(.controllerUnreachable, "cannot run \(path) for \(cluster)", cause: "\(error)")
        }
        // squeue's output can exceed a pipe's buffer: read stdout to its end while stderr (a few
        // lines) waits in its pipe.
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines),
                String(decoding: err, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
