import Foundation
import Testing
@testable import PilotSlurm

/// A profile's `cluster:`: how its pilots reach another cluster, and the errors a bad one gets.
@Suite struct ClusterFieldTests {
    /// A slurm.conf naming `name`, in a fresh temporary file.
    static func conf(clusterName name: String) throws -> String {
        let path = NSTemporaryDirectory() + "cluster-\(UUID().uuidString.prefix(8)).conf"
        try "# test\nClusterName=\(name)\nSlurmctldPort=7017\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func yaml(_ cluster: String, sbatch: String = "") -> String {
        """
        version: 1
        name: gpu
        walltime: "01:00:00"
        gpus_per_node: 2
        \(cluster)
        \(sbatch)
        """
    }

    @Test func aClusterWithItsOwnConfigurationGoesThroughSbatchWithThatConfiguration() throws {
        let conf = try Self.conf(clusterName: "site")
        defer { unlink(conf) }
        let profile = try ClusterProfile.parse(yaml: Self.yaml("cluster:\n  name: site\n  slurm_conf: \(conf)"), file: "gpu.yaml")
        #expect(profile.cluster == SlurmCluster(name: "site", slurmConf: conf))
        #expect(!profile.sbatch.contains { $0.name == "clusters" }, "reached through its configuration, not --clusters")
        #expect(JobScriptRenderer.submissionPath(of: profile) == .cluster(SlurmCluster(name: "site", slurmConf: conf)))

        let context = JobScriptContext(pilotID: "p3", managerHost: "login1", managerPort: 7450, tokenFile: "/t", pilotBinary: "/p",
                                       logDirectory: "/logs")
        let renderer = try JobScriptRenderer(templatePath: TestSupport.templatePath)
        let script = try renderer.render(profile: profile, context: context, environment: [:])
        #expect(script.contains("# Submitted through sbatch with SLURM_CONF=\(conf) (cluster site: libslurm serves the manager's own cluster only).\n"))
        #expect(script.contains("\n#SWIFTPILOT cluster=site slurm_conf=\(conf)\n"))
        // The request read back from the script (as the manager and --dry-run do) knows the cluster,
        // and the job gets that cluster's configuration for the srun inside it.
        let request = try BatchJobRequest.pilot(profile: profile, context: context, script: script,
                                                environment: ["SLURM_CONF": "/etc/slurm/main.conf"])
        #expect(request.cluster == SlurmCluster(name: "site", slurmConf: conf))
        #expect(request.submissionPath == .cluster(SlurmCluster(name: "site", slurmConf: conf)))
        #expect(request.environment["SLURM_CONF"] == conf)
        #expect(request.requestDescription().hasPrefix("path: sbatch with SLURM_CONF=\(conf) (cluster site"))
    }

    @Test func aClusterNameAloneIsReachedWithClusters() throws {
        let profile = try ClusterProfile.parse(yaml: Self.yaml("cluster: gpu-cluster"), file: "gpu.yaml")
        #expect(profile.cluster == SlurmCluster(name: "gpu-cluster"))
        #expect(profile.sbatch == [SbatchOption(name: "clusters", value: "gpu-cluster")!])
        #expect(JobScriptRenderer.submissionPath(of: profile) == .sbatch(options: [SbatchOption(name: "clusters", value: "gpu-cluster")!]))
        // The same written as the sbatch option names the cluster too, so the pilot is tracked there.
        let viaOption = try ClusterProfile.parse(yaml: Self.yaml("", sbatch: "sbatch:\n  M: gpu-cluster"), file: "gpu.yaml")
        #expect(viaOption.cluster == SlurmCluster(name: "gpu-cluster"))
    }

    @Test func badClusterFieldsNameFileFieldAndReason() throws {
        let conf = try Self.conf(clusterName: "site")
        defer { unlink(conf) }
        let cases: [(yaml: String, field: String, reason: String)] = [
            (Self.yaml("cluster:\n  slurm_conf: \(conf)"), "cluster.name", "missing"),
            (Self.yaml("cluster:\n  name: site\n  slurmconf: \(conf)"), "cluster.slurmconf", "slurm_conf"),
            (Self.yaml("cluster:\n  name: site\n  slurm_conf: relative/slurm.conf"), "cluster.slurm_conf", "absolute path"),
            (Self.yaml("cluster:\n  name: site\n  slurm_conf: /nonexistent/slurm.conf"), "cluster.slurm_conf",
             "cannot read /nonexistent/slurm.conf: cluster 'site' is unknown on this node"),
            (Self.yaml("cluster:\n  name: other\n  slurm_conf: \(conf)"), "cluster.name", "(ClusterName=site)"),
            (Self.yaml("cluster: [a, b]"), "cluster", "expected a cluster name or a mapping"),
            (Self.yaml("cluster: 'has space'"), "cluster", "may only contain"),
            (Self.yaml("cluster: gpu-cluster", sbatch: "sbatch:\n  clusters: other"), "sbatch.clusters", "contradicts cluster: gpu-cluster"),
            (Self.yaml("cluster:\n  name: site\n  slurm_conf: \(conf)", sbatch: "sbatch:\n  M: site"), "sbatch.clusters",
             "has its own slurm_conf"),
        ]
        for c in cases {
            let e = try #require(TestSupport.profileError(c.yaml, file: "gpu.yaml"), "accepted: \(c.yaml)")
            #expect(e.file == "gpu.yaml")
            #expect(e.field == c.field, "\(e)")
            #expect(e.reason.contains(c.reason), "\(e)")
        }
    }

    @Test func squeueOutputOfEitherKindIsRead() {
        let out = """
            CLUSTER: site
            12|pilot-p2|RUNNING|None|n[1-2]|2|2026-12-04T05:30:00|2026-12-04T05:30:01|2026-12-04T05:40:01|10:00
            13|pilot-p3|PENDING|Resources|(null)|1|2026-12-04T05:31:00|N/A|N/A|UNLIMITED
            """
        let infos = CommandSlurmClient.parse(squeue: out)
        #expect(infos.map(\.id) == [12, 13])
        #expect(infos[0].state == .running && infos[0].nodes == ["n1", "n2"] && infos[0].nodeCount == 2)
        #expect(infos[0].timeLimitMinutes == 10 && infos[0].endTime != nil && infos[0].startTime != nil)
        #expect(infos[1].state == .pending && infos[1].stateReason == "Resources" && infos[1].nodes.isEmpty)
        #expect(infos[1].startTime == nil && infos[1].timeLimitMinutes == nil)
    }
}
