/// A Slurm cluster other than the one the manager's own configuration names: how a profile's
/// pilots reach it. The manager's default cluster has none (`ClusterProfile.cluster == nil`).
public struct SlurmCluster: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Slurm's `ClusterName`; shown by `pilots list`, the API (`cluster`) and the metrics.
    public var name: String
    /// The cluster's own slurm.conf. Its pilots are submitted, tracked and cancelled by Slurm's
    /// commands run with `SLURM_CONF` set to it: libslurm loads one configuration per process.
    /// nil: the cluster is reached with `--clusters NAME` (`-M`), which needs a slurmdbd that
    /// federates both clusters.
    public var slurmConf: String?

    public init(name: String, slurmConf: String? = nil) {
        self.name = name
        self.slurmConf = slurmConf
    }

    /// How its pilots reach it, for `--dry-run` and logs.
    public var description: String {
        if let slurmConf { return "cluster \(name) (SLURM_CONF=\(slurmConf))" }
        return "cluster \(name) (--clusters=\(name))"
    }
}
