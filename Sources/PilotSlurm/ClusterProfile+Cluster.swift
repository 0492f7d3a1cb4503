import Foundation

extension ClusterProfile {
    /// Makes `cluster:` and an `sbatch: {clusters: ...}` option say the same thing, so the
    /// manager tracks and cancels a pilot on the cluster it was submitted to:
    /// - `cluster: NAME` (no `slurm_conf`) is submitted with `--clusters=NAME`;
    /// - a lone `--clusters=NAME` names the cluster;
    /// - a cluster with its own `slurm_conf` is reached through it, never through `--clusters`.
    /// A `slurm_conf` must be readable here and name the same `ClusterName`.
    mutating func reconcileClusterOption(clusterLine: Int?) throws(ProfileError) {
        let given = sbatch.first { $0.name == "clusters" }
        func bad(_ field: String, _ reason: String) -> ProfileError {
            ProfileError(file: sourcePath, field: field, reason: reason, line: clusterLine)
        }
        guard let cluster else {
            if let value = given?.value, !value.contains(",") { self.cluster = SlurmCluster(name: value) }
            return
        }
        if let conf = cluster.slurmConf {
            if given != nil {
                throw bad("sbatch.clusters", "cluster '\(cluster.name)' has its own slurm_conf; --clusters would send the pilot elsewhere: drop one")
            }
            guard FileManager.default.isReadableFile(atPath: conf) else {
                throw bad("cluster.slurm_conf", "cannot read \(conf): cluster '\(cluster.name)' is unknown on this node")
            }
            if let named = Self.clusterName(inConf: conf), named != cluster.name {
                throw bad("cluster.name", "'\(cluster.name)' is not the cluster \(conf) describes (ClusterName=\(named))")
            }
            return
        }
        if let given {
            guard given.value == cluster.name else {
                throw bad("sbatch.clusters", "--clusters=\(given.value ?? "") contradicts cluster: \(cluster.name)")
            }
            return
        }
        sbatch.append(SbatchOption(name: "clusters", value: cluster.name)!)
    }

    /// `ClusterName=` of a slurm.conf (keys are case-insensitive there); nil when it has none.
    public static func clusterName(inConf path: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(whereSeparator: \.isNewline) {
            let bare = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let parts = bare.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "clustername" else { continue }
            return parts[1].trimmingCharacters(in: .whitespaces)
        }
        return nil
    }
}
