/// Where libslurm gets the cluster's configuration from.
public enum SlurmConfigSource: Sendable, Equatable, CustomStringConvertible {
    public enum Origin: String, Sendable, Equatable {
        case given = "given"
        case environment = "SLURM_CONF"
        case defaultPath = "default path"
        case slurmdCache = "configless slurmd's cache"
    }

    /// A slurm.conf on this node, and why that one (`--slurm-conf`, `SLURM_CONF`,
    /// the default path, or the running slurmd's cache in configless mode).
    case file(path: String, origin: Origin)
    /// Configless: libslurm fetches the configuration from slurmctld, found
    /// through `SLURM_CONF_SERVER` when set, else the DNS SRV record `_slurmctld._tcp`.
    case configServer(String?)

    /// The path to hand to `slurm_init`; nil lets libslurm fetch the configuration.
    public var path: String? {
        if case .file(let path, _) = self { return path }
        return nil
    }

    /// The path jobs should be given as SLURM_CONF. A slurmd's cache is local to
    /// the node it is on; configless, the compute nodes' slurmd give jobs theirs.
    public var pathForJobs: String? {
        if case .file(let path, let origin) = self, origin != .slurmdCache { return path }
        return nil
    }

    public var description: String {
        switch self {
        case .file(let path, let origin): "\(path) (\(origin.rawValue))"
        case .configServer(let server?): "configless, from slurmctld at \(server) (SLURM_CONF_SERVER)"
        case .configServer(nil): "configless, from the slurmctld named by DNS SRV _slurmctld._tcp"
        }
    }
}
