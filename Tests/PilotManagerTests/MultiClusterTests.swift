import Foundation
import PilotCore
import PilotProtocol
import PilotSlurm
import Testing
@testable import PilotManager

/// One manager, two clusters, replayed against two scripted Slurms: pilots are tracked and
/// cancelled on their own cluster (job ids repeat across clusters), and allocation queues are per
/// cluster and profile, routing a waiting task to the queue whose nodes can hold it.
@Suite struct MultiClusterTests {
    /// A CPU profile on the manager's own cluster and a GPU profile on cluster `site`, which has its
    /// own slurm.conf; both scripted Slurms hand out the same job ids.
    struct TwoClusters {
        let f: ManagerFixture
        let site = FakeSlurmClient(firstJobID: 100)
        let cpuProfile: String
        let gpuProfile: String

        init() throws {
            f = try ManagerFixture { $0.pilots.defaultClusterName = "main" }
            let conf = f.dir + "/site.conf"
            try "ClusterName=site\n".write(toFile: conf, atomically: true, encoding: .utf8)
            cpuProfile = f.dir + "/cpu.yaml"
            try "version: 1\nname: cpu\nnodes: 1\ncores_per_node: 4\nwalltime: \"01:00:00\"\n"
                .write(toFile: cpuProfile, atomically: true, encoding: .utf8)
            gpuProfile = f.dir + "/gpu.yaml"
            try "version: 1\nname: gpu\nnodes: 1\ngpus_per_node: 2\nwalltime: \"01:00:00\"\ncluster:\n  name: site\n  slurm_conf: \(conf)\n"
                .write(toFile: gpuProfile, atomically: true, encoding: .utf8)
            f.core.clusterSlurms["site"] = site
        }

        func job(_ pilot: String) async throws -> SlurmJobID {
            SlurmJobID(try #require(try await f.core.pilotInfo(pilot).slurmJobID))
        }

        func submitTasks(_ n: Int, gpus: Int) throws {
            let spec = TaskSpec(name: gpus > 0 ? "gpu" : "cpu", command: ["/bin/true"], request: ResourceRequest(cores: 1, gpus: gpus))
            _ = try f.core.submit(SubmitRequest(tasks: Array(repeating: spec, count: n)))
            f.core.tick()
        }
    }

    @Test func pilotsAreTrackedAndCancelledOnTheirOwnCluster() async throws {
        let t = try TwoClusters()
        defer { t.f.cleanup() }
        let a = try await t.f.core.submitPilot(PilotSubmitRequest(profile: t.cpuProfile)).pilot!
        let b = try await t.f.core.submitPilot(PilotSubmitRequest(profile: t.gpuProfile)).pilot!
        #expect(a.cluster == "main" && b.cluster == "site")
        // The same job id on both clusters: each scripted Slurm got exactly its own pilot.
        #expect(a.slurmJobID == 100 && b.slurmJobID == 100)
        #expect(t.f.slurm.submittedRequests.map(\.name) == ["pilot-\(a.id)"])
        #expect(t.site.submittedRequests.map(\.name) == ["pilot-\(b.id)"])
        #expect(t.site.submittedRequests.first?.environment["SLURM_CONF"] == t.f.dir + "/site.conf")

        // One poll per cluster; only site's job runs, so only its pilot does.
        try t.site.advance(100, to: .running, nodes: ["s1"])
        let before = t.f.core.effects.count
        t.f.core.pollPilots()
        let polls = EffectDescription.describe(Array(t.f.core.effects[before...])).filter { $0.hasPrefix("slurm poll") }
        #expect(polls == ["slurm poll [100]", "slurm poll [100] on site"])
        #expect(try await t.f.core.pilotInfo(a.id).state == .pending)
        #expect(try await t.f.core.pilotInfo(b.id).state == .running)
        #expect(try await t.f.core.pilotInfo(b.id).nodes == ["s1"])

        // Cancelling the site pilot cancels site's job 100, not main's.
        _ = try await t.f.core.cancelPilot(b.id)
        #expect(try t.site.job(100)?.state == .cancelled)
        #expect(try t.f.slurm.job(100)?.state == .pending)
        t.f.core.pollPilots()
        #expect(try await t.f.core.pilotInfo(b.id).state == .cancelled)
        #expect(try await t.f.core.pilotInfo(a.id).state == .pending)

        // The journal's pilot records name the cluster.
        let siteStates = t.f.core.journal.filter { $0.kind == .pilotState && $0.pilot == b.id }
        #expect(!siteStates.isEmpty && siteStates.allSatisfy { $0.detail == #"{"cluster":"site"}"# })

        // A restarted manager still polls the site pilot on site (the cluster is in its stored request).
        let g = try ManagerFixture(dir: t.f.dir) { $0.pilots.defaultClusterName = "main" }
        g.core.clusterSlurms["site"] = t.site
        #expect(try await g.core.pilotInfo(b.id).cluster == "site")
        #expect(try await g.core.pilotInfo(a.id).cluster == "main")
    }

    @Test func aGPUTaskMakesOnlyTheGPUClustersQueueSubmit() async throws {
        let t = try TwoClusters()
        defer { t.f.cleanup() }
        let cpuQ = try await t.f.core.addAllocQueue(AllocQueueRequest(profile: t.cpuProfile, maxPilots: 2))
        let gpuQ = try await t.f.core.addAllocQueue(AllocQueueRequest(profile: t.gpuProfile, maxPilots: 2))
        #expect(cpuQ.cluster == "main" && cpuQ.gpusPerNode == 0 && cpuQ.coresPerNode == 4)
        #expect(gpuQ.cluster == "site" && gpuQ.gpusPerNode == 2)

        try t.submitTasks(3, gpus: 1)
        t.f.core.pollPilots()
        t.f.core.pollPilots()
        #expect(t.f.slurm.submittedRequests.isEmpty, "no CPU-only node can hold a GPU task")
        #expect(t.site.submittedRequests.count == 1)
        let queues = await t.f.core.allocQueueList()
        #expect(queues.first { $0.id == cpuQ.id }?.pilots == [])
        let gpuPilot = try #require(queues.first { $0.id == gpuQ.id }?.pilots.first)
        #expect(try await t.f.core.pilotInfo(gpuPilot).cluster == "site")
        let decisions = t.f.core.journal.filter { $0.kind == .allocDecision && $0.state == "submit" }
        #expect(decisions.map(\.detail) == [#"{"queue":2,"action":"submit","cluster":"site"}"#])

        // The GPU pilot's agent takes the GPU tasks; nothing waits, nothing more is submitted.
        try t.site.advance(try await t.job(gpuPilot), to: .running, nodes: ["s1"])
        let hello = AgentHello(token: "", agentUUID: "s1", hostname: "s1", pilot: gpuPilot,
                               resources: .uniform(hostname: "s1", domains: 1, coresPerDomain: 4, gpusPerDomain: 2), deadline: nil)
        _ = try t.f.core.register(hello)
        t.f.core.tick()
        t.f.core.pollPilots()
        #expect(t.f.core.reactor.queuedCount == 1, "two GPUs: two of three GPU tasks bound")
        #expect(t.f.slurm.submittedRequests.isEmpty && t.site.submittedRequests.count == 2,
                "the third GPU task needs another GPU node: the GPU queue submits, the CPU queue does not")
    }

    @Test func cpuTasksMayGoEitherWay() async throws {
        let t = try TwoClusters()
        defer { t.f.cleanup() }
        _ = try await t.f.core.addAllocQueue(AllocQueueRequest(profile: t.cpuProfile, maxPilots: 1))
        _ = try await t.f.core.addAllocQueue(AllocQueueRequest(profile: t.gpuProfile, maxPilots: 1))
        try t.submitTasks(5, gpus: 0)
        t.f.core.pollPilots()
        #expect(t.f.slurm.submittedRequests.count == 1 && t.site.submittedRequests.count == 1)
        // A task wider than a CPU node (5 cores on 4-core nodes) is not demand for that queue.
        let u = try TwoClusters()
        defer { u.f.cleanup() }
        _ = try await u.f.core.addAllocQueue(AllocQueueRequest(profile: u.cpuProfile, maxPilots: 1))
        let wide = TaskSpec(name: "wide", command: ["/bin/true"], request: ResourceRequest(cores: 5))
        _ = try u.f.core.submit(SubmitRequest(tasks: [wide]))
        u.f.core.pollPilots()
        #expect(u.f.slurm.submittedRequests.isEmpty)
    }

    @Test func aQueuesShapeSurvivesARestart() async throws {
        let t = try TwoClusters()
        defer { t.f.cleanup() }
        _ = try await t.f.core.addAllocQueue(AllocQueueRequest(profile: t.gpuProfile, maxPilots: 1))
        let g = try ManagerFixture(dir: t.f.dir) { $0.pilots.defaultClusterName = "main" }
        g.core.clusterSlurms["site"] = t.site
        let q = try #require(await g.core.allocQueueList().first)
        #expect(q.cluster == "site" && q.gpusPerNode == 2)
        let spec = TaskSpec(name: "gpu", command: ["/bin/true"], request: ResourceRequest(cores: 1, gpus: 1))
        _ = try g.core.submit(SubmitRequest(tasks: [spec]))
        g.core.pollPilots()
        #expect(t.site.submittedRequests.count == 1, "the restored queue submits on site")
    }
}
