import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PilotCore
import PilotProtocol
import Testing

/// One manager over two real clusters: the default local cluster (`swiftpilot`) and the second,
/// independent one `JobScripts/test.sh` starts (`site`: its own slurmctld port, ClusterName and
/// nodes). A profile names the second cluster with its own slurm.conf; its pilot is submitted,
/// tracked and cancelled through Slurm's commands with that configuration, the other's through
/// libslurm, and tasks late-bind across the agents of both.
@Suite(.serialized) struct MultiClusterEndToEndTests {
    init() throws {
        try LocalSlurm.require()
        try SiteSlurmEndToEndTests.require()
    }

    static func writeProfile(_ c: LiveCluster, _ name: String, nodes: Int, gpus: Int, cluster: String?) throws -> String {
        let path = "\(c.dir)/\(name).yaml"
        try """
            version: 1
            name: \(name)
            partition: debug
            nodes: \(nodes)
            gpus_per_node: \(gpus)
            walltime: "00:10:00"
            \(cluster.map { "cluster:\n  name: site\n  slurm_conf: \($0)" } ?? "")
            agent:
              heartbeat_interval: 2
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func scrape(_ c: LiveCluster) async throws -> MetricsText {
        let a = try AccessFile.read(from: c.dir)
        // Through the pinned client: the manager speaks TLS.
        let r = try await PilotClient(access: a).request("GET", "/metrics", bearer: a.metricsToken)
        guard r.status == 200 else { throw E2EError("GET /metrics failed: \(r.status)") }
        return MetricsText(String(decoding: r.body, as: UTF8.self))
    }

    @Test func oneManagerRunsAThousandMixedTasksOnPilotsOfTwoClusters() async throws {
        let c = LiveCluster(tag: "clusters")
        let siteConf = SiteSlurmEndToEndTests.conf
        var mainJobs: [String] = [], siteJobs: [String] = []
        defer {
            if !mainJobs.isEmpty { _ = try? LocalSlurm.command(["scancel"] + mainJobs) }
            if !siteJobs.isEmpty { _ = try? SiteSlurmEndToEndTests.slurm(["scancel"] + siteJobs) }
            c.shutdown()
        }
        try await c.startManager()
        // CPU nodes on the manager's own cluster; GPU nodes on the other one.
        let cpuProfile = try Self.writeProfile(c, "cpu-main", nodes: 2, gpus: 0, cluster: nil)
        let gpuProfile = try Self.writeProfile(c, "gpu-site", nodes: 1, gpus: 2, cluster: siteConf)

        // The dry run says which way the pilot goes.
        let dry = try PilotBinary.run(["pilots", "submit", "--server-dir", c.dir, "--profile", gpuProfile, "--dry-run"])
        #expect(dry.status == 0, "\(dry.err)")
        #expect(dry.out.contains("path: sbatch with SLURM_CONF=\(siteConf) (cluster site"), "\(dry.out)")
        #expect(dry.out.contains("#SWIFTPILOT cluster=site slurm_conf=\(siteConf)"), "\(dry.out)")

        let cpu = try c.submitPilot(["--profile", cpuProfile])
        mainJobs.append(cpu.job)
        let gpu = try c.submitPilot(["--profile", gpuProfile])
        siteJobs.append(gpu.job)
        // Each job is where its pilot says: the site job is in site's queue under that id.
        let siteQueue = try SiteSlurmEndToEndTests.slurm(["squeue", "--noheader", "--states=all", "--format=%i %j"])
        #expect(siteQueue.out.contains("\(gpu.job) pilot-\(gpu.id)"), "\(siteQueue.out)")

        // Readiness: both pilots running with all their agents.
        let pilots = try await poll("agents of both clusters registered", timeout: 90) { () -> [PilotInfo]? in
            let l = try await c.client.pilots()
            if let bad = l.first(where: { $0.state.isFinal }) {
                throw E2EError("pilot \(bad.id) ended: \(bad.state) \(bad.reason ?? "")\n\(c.log("manager"))")
            }
            let ready = l.count == 2 && l.allSatisfy { $0.state == .running && $0.agents == $0.nodeCount }
            return ready ? l : nil
        }
        let byID = Dictionary(pilots.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let cpuPilot = try #require(byID[cpu.id]), gpuPilot = try #require(byID[gpu.id])
        #expect(cpuPilot.cluster == "swiftpilot" && gpuPilot.cluster == "site", "\(pilots)")
        #expect(cpuPilot.gpus == 0 && cpuPilot.agents == 2, "\(cpuPilot)")
        #expect(gpuPilot.gpus == 2 && gpuPilot.agents == 1, "\(gpuPilot)")

        let list = try PilotBinary.run(["pilots", "list", "--server-dir", c.dir])
        #expect(list.status == 0 && list.out.contains("CLUSTER"), "\(list.out)")
        let rows = list.out.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(rows.contains { $0.first == cpu.id && $0.dropFirst().first == "swiftpilot" }, "\(list.out)")
        #expect(rows.contains { $0.first == gpu.id && $0.dropFirst().first == "site" }, "\(list.out)")

        // 1,000 mixed tasks: 940 CPU tasks, 60 GPU tasks.
        let one = TaskSpec(name: "cpu", command: ["/bin/sh", "-c", "sleep 0.0$((PILOT_TASK_ID % 5))"], request: ResourceRequest(cores: 1))
        let gpuTask = TaskSpec(name: "gpu", command: ["/bin/sh", "-c", "echo cuda=$CUDA_VISIBLE_DEVICES; sleep 0.02"],
                               request: ResourceRequest(cores: 1, gpus: 1))
        _ = try await c.client.submit(SubmitRequest(array: ArraySubmission(template: one, range: "1-940")))
        _ = try await c.client.submit(SubmitRequest(array: ArraySubmission(template: gpuTask, range: "1-60")))
        let w = try await c.waitAll(timeout: 240)
        #expect(w.summary.count(.done) == 1000)
        #expect(w.failed == 0)

        // Which cluster ran each task, from the agent it was bound to.
        let agents = try await c.client.agents()
        let clusterOfPilot = [cpu.id: "swiftpilot", gpu.id: "site"]
        let clusterOfAgent = Dictionary(agents.map { ($0.id, $0.pilot.flatMap { clusterOfPilot[$0] } ?? "none") },
                                        uniquingKeysWith: { a, _ in a })
        let tasks = try await c.allTasks(1000)
        var ranOn: [String: [String: Int]] = [:]
        for t in tasks {
            let agent = try #require(t.agent, "task \(t.id) has no agent")
            // Array tasks are named `template[index]`.
            let kind = String((t.spec?.name ?? "?").prefix { $0 != "[" })
            ranOn[kind, default: [:]][clusterOfAgent[agent] ?? "unknown", default: 0] += 1
        }
        #expect(ranOn["gpu"] == ["site": 60], "every GPU task ran where the GPUs are: \(ranOn)")
        #expect((ranOn["cpu"]?["swiftpilot"] ?? 0) > 0 && (ranOn["cpu"]?["site"] ?? 0) > 0,
                "CPU tasks late-bound across both clusters: \(ranOn)")
        #expect(ranOn["cpu"]?.values.reduce(0, +) == 940)

        // The metrics and the journal name the cluster.
        let m = try await scrape(c)
        #expect(m[#"swiftpilot_cluster_pilots{cluster="site",state="running"}"#] == 1, "\(m.samples.keys.filter { $0.contains("cluster") })")
        #expect(m[#"swiftpilot_cluster_pilots{cluster="swiftpilot",state="running"}"#] == 1)
        #expect(m[#"swiftpilot_cluster_agents{cluster="site",state="active"}"#] == 1)
        #expect(m[#"swiftpilot_cluster_agents{cluster="swiftpilot",state="active"}"#] == 2)
        #expect(m[#"swiftpilot_pilot_gpus_free{pilot="\#(gpu.id)",cluster="site"}"#] == 2)
        let events = try await c.client.events(since: 0, limit: 1000, pilot: gpu.id, kinds: ["pilot_state"])
        #expect(events.events.contains { $0.state == "running" && $0.detail == #"{"cluster":"site"}"# }, "\(events.events)")

        // Cancelling goes to each pilot's own cluster (scancel with site's configuration there).
        _ = try await c.client.cancelPilot(gpu.id)
        _ = try await c.client.cancelPilot(cpu.id)
        try await c.poll("both pilots cancelled", timeout: 60) {
            try await c.client.pilots().allSatisfy { $0.state == .cancelled }
        }
    }

    /// Allocation queues per cluster and profile: GPU tasks make only the queue of the GPU profile
    /// on `site` submit; its idle pilot is then cancelled on site.
    @Test func gpuTasksMakeOnlyTheGPUClustersQueueSubmit() async throws {
        let c = LiveCluster(tag: "clusters-alloc")
        defer {
            if let r = try? PilotBinary.run(["pilots", "list", "--json", "--server-dir", c.dir]), r.status == 0,
               let list = try? APICoding.decoder().decode(PilotList.self, from: Data(r.out.utf8)) {
                let open = list.pilots.filter { !$0.state.isFinal }
                let site = open.filter { $0.cluster == "site" }.compactMap(\.slurmJobID).map(String.init)
                let main = open.filter { $0.cluster != "site" }.compactMap(\.slurmJobID).map(String.init)
                if !site.isEmpty { _ = try? SiteSlurmEndToEndTests.slurm(["scancel"] + site) }
                if !main.isEmpty { _ = try? LocalSlurm.command(["scancel"] + main) }
            }
            c.shutdown()
        }
        try await c.startManager()
        let cpuProfile = try Self.writeProfile(c, "cpu-main", nodes: 1, gpus: 0, cluster: nil)
        let gpuProfile = try Self.writeProfile(c, "gpu-site", nodes: 1, gpus: 2, cluster: SiteSlurmEndToEndTests.conf)
        for profile in [cpuProfile, gpuProfile] {
            let r = try PilotBinary.run(["alloc", "add", "--server-dir", c.dir, "--profile", profile, "--max-pilots", "1",
                                         "--idle-timeout", "2s"])
            #expect(r.status == 0, "\(r.err)")
        }
        let queues = try await c.client.allocQueues()
        #expect(queues.map(\.cluster) == ["swiftpilot", "site"] && queues.map(\.gpusPerNode) == [0, 2], "\(queues)")

        let gpuTask = TaskSpec(name: "gpu", command: ["/bin/sh", "-c", "sleep 0.1"], request: ResourceRequest(cores: 1, gpus: 1))
        _ = try await c.client.submit(SubmitRequest(array: ArraySubmission(template: gpuTask, range: "1-20")))
        let w = try await c.waitAll(timeout: 120)
        #expect(w.summary.count(.done) == 20)

        let pilots = try await c.client.pilots()
        #expect(!pilots.isEmpty && pilots.allSatisfy { $0.cluster == "site" && $0.queue == 2 }, "\(pilots)")
        let onSite = Set(pilots.map(\.id))
        let agents = try await c.client.agents()
        let pilotOf = Dictionary(agents.map { ($0.id, $0.pilot ?? "") }, uniquingKeysWith: { a, _ in a })
        let tasks = try await c.allTasks(20)
        #expect(tasks.allSatisfy { t in t.agent.flatMap { pilotOf[$0] }.map(onSite.contains) == true })
        // Every submit decision was the site queue's.
        let decisions = try await c.client.events(since: 0, limit: 1000, kinds: ["alloc_decision"]).events.filter { $0.state == "submit" }
        #expect(!decisions.isEmpty && decisions.allSatisfy { $0.detail?.contains(#""cluster":"site""#) == true }, "\(decisions)")

        // Idle: the site pilot is cancelled through scancel with site's configuration.
        try await c.poll("the idle site pilot cancelled", timeout: 60) {
            try await c.client.pilots().allSatisfy { $0.state == .cancelled }
        }
    }
}
