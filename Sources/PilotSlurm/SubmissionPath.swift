/// How a batch job reaches the controller.
public enum SubmissionPath: Sendable, Equatable, CustomStringConvertible {
    /// `slurm_submit_batch_job` with a filled job descriptor: one RPC, no process.
    case libslurm
    /// The `sbatch` command with the rendered script, because these options have
    /// no job-descriptor field (or need sbatch's client-side work, like `--clusters`).
    case sbatch(options: [SbatchOption])
    /// The `sbatch` command run with `SLURM_CONF` set to another cluster's configuration:
    /// libslurm holds one configuration per process, the manager's own cluster's.
    case cluster(SlurmCluster)

    public var description: String {
        switch self {
        case .libslurm: "libslurm (slurm_submit_batch_job)"
        case .sbatch(let options):
            "sbatch (no job-descriptor field for \(options.map(\.argument).joined(separator: " ")))"
        case .cluster(let c):
            "sbatch with SLURM_CONF=\(c.slurmConf ?? "?") (cluster \(c.name): libslurm serves the manager's own cluster only)"
        }
    }
}
