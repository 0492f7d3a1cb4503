import Foundation
import PilotCore
import PilotProtocol
import PilotSlurm
import Testing
@testable import PilotManager

/// Pilot state tracking against a scripted Slurm: every lifecycle, driven one poll at a time.
@Suite struct PilotTrackingTests {
    @Test func pendingThenRunningThenCompleted() async throws {
        let f = try ManagerFixture()
        defer { f.cleanup() }
        let r = try await f.core.submitPilot(PilotSubmitRequest(profile: "local", overrides: PilotOverrides(nodes: 2, walltime: "10")))
        let p = try #require(r.pilot)
        #expect(p.id == "p1")
        #expect(p.state == .pending)
        let job = SlurmJobID(try #require(p.slurmJobID))
        let sent = try #require(f.slurm.request(for: job))
        #expect(sent.nodes == 2)
        #expect(sent.timeLimitMinutes == 10)
        #expect(sent.name == "pilot-p1")
        #expect(sent.script.contains("--pilot-id \"$PILOT_ID\""))
        #expect(sent.script.contains("export PILOT_MANAGER=127.0.0.1:4242\n"))
        #expect(sent.script.contains("/opt/swiftpilot/bin/pilot"))

        try f.slurm.advance(job, to: .running, nodes: ["n3", "n4"])
        await f.core.pollPilots()
        let running = try await f.core.pilotInfo("p1")
        #expect(running.state == .running)
        #expect(running.nodes == ["n3", "n4"])
        #expect(running.startedAt != nil)

        try f.slurm.advance(job, to: .completed)
        await f.core.pollPilots()
        let done = try await f.core.pilotInfo("p1")
        #expect(done.state == .completed)
        #expect(done.endedAt != nil)
    }

    @Test func aPilotThatFailsToStartKeepsSlurmsReason() async throws {
        let f = try ManagerFixture()
        defer { f.cleanup() }
        let p = try #require(try await f.core.submitPilot(PilotSubmitRequest(profile: "local")).pilot)
        try f.slurm.advance(SlurmJobID(p.slurmJobID!), to: .pending, reason: "ReqNodeNotAvail")
        await f.core.pollPilots()
        #expect(try await f.core.pilotInfo(p.id).reason == "ReqNodeNotAvail")
        try f.slurm.advance(SlurmJobID(p.slurmJobID!), to: .failed, reason: "JobLaunchFailure")
        await f.core.pollPilots()
        let info = try await f.core.pilotInfo(p.id)
        #expect(info.state == .failed)
        let reason = try #require(info.reason)
        #expect(reason.contains("JobLaunchFailure"), "\(reason)")
        #expect(reason.contains("never started"), "\(reason)")
    }

    @Test func slurmRefusalIsAClearErrorAndAFailedPilot() async throws {
        let f = try ManagerFixture()
        defer { f.cleanup() }
        f.slurm.failNextSubmissions(with: SlurmError(.submitFailed, "submitting job 'pilot-p1' failed", slurmErrno: 2006,
                                                     slurmErrorText: "Node count specification invalid"))
        let error = await #expect(throws: ManagerError.self) {
            try await f.core.submitPilot(PilotSubmitRequest(profile: "local", overrides: PilotOverrides(nodes: 10)))
        }
        #expect(error?.code == .badRequest)
        #expect(error?.message.contains("Node count specification invalid") == true, "\(error?.message ?? "")")
        let p = try await f.core.pilotInfo("p1")
        #expect(p.state == .failed)
        #expect(p.reason?.contains("Node count specification invalid") == true)
    }

    @Test func badProfilesAndOverridesNameTheFileAndField() async throws {
        let f = try ManagerFixture()
        defer { f.cleanup() }
        let bad = f.dir + "/broken.yaml"
        try "version: 1\nname: broken\nnodes: lots\nwalltime: \"1:00:00\"\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let e1 = await #expect(throws: ManagerError.self) { try await f.core.submitPilot(PilotSubmitRequest(profile: bad)) }
        #expect(e1?.field == "profile")
        #expect(e1?.message.contains("broken.yaml") == true, "\(e1?.message ?? "")")
        #expect(e1?.message.contains("nodes") == true, "\(e1?.message ?? "")")

        let e2 = await #expect(throws: ManagerError.self) { try await f.core.submitPilot(PilotSubmitRequest(profile: "nosuch")) }
        #expect(e2?.message.contains("known: ") == true && e2?.message.contains("local") == true, "\(e2?.message ?? "")")

        let e3 = await #expect(throws: ManagerError.self) {
            try await f.core.submitPilot(PilotSubmitRequest(profile: "local", overrides: PilotOverrides(walltime: "soon")))
        }
        #expect(e3?.field == "overrides.walltime")
        #expect(f.slurm.submittedRequests.isEmpty)
    }

    @Test func dryRunRendersWithoutSubmitting() async throws {
        let f = try ManagerFixture()
        defer { f.cleanup() }
        let r = try await f.core.submitPilot(PilotSubmitRequest(profile: "local", overrides: PilotOverrides(nodes: 3), dryRun: true))
        let script = try #require(r.script)
        #expect(script.contains("#SBATCH --nodes=3"))
        #expect(r.pilot == nil)
        #expect(f.slurm.submittedRequests.isEmpty)
        #expect(await f.core.pilotList().isEmpty)
    }

    @Test func cancelScancelsAndTheNextPollSeesIt() async throws {
        let f = try ManagerFixture()
        defer { f.cleanup() }
        let p = try #require(try await f.core.submitPilot(PilotSubmitRequest(profile: "local")).pilot)
        try f.slurm.advance(SlurmJobID(p.slurmJobID!), to: .running)
        await f.core.pollPilots()
        _ = try await f.core.cancelPilot(p.id)
        await f.core.pollPilots()
        #expect(try await f.core.pilotInfo(p.id).state == .cancelled)
        let missing = await #expect(throws: ManagerError.self) { try await f.core.cancelPilot("p9") }
        #expect(missing?.code == .notFound)
    }

    @Test func anEndedPilotLosesItsAgentsAtOnceAndTheirTasksAreRequeued() async throws {
        let f = try ManagerFixture()
        defer { f.cleanup() }
        let p = try #require(try await f.core.submitPilot(PilotSubmitRequest(profile: "local")).pilot)
        let job = SlurmJobID(p.slurmJobID!)
        try f.slurm.advance(job, to: .running)
        await f.core.pollPilots()
        let a1 = try await f.registerAgent("n1", pilot: p.id, cores: 2)
        let ids = try await f.submit(3)
        // Two bound to the pilot's agent, one waiting; one of the two starts running.
        let first = try await f.core.taskInfo(ids[0])
        #expect(first.agent == a1 && first.state == .bound)
        await f.core.handle(.started([RunningTask(key: TaskKey(task: ids[0], attempt: 1), pid: 1, startedAt: 1)]), from: a1)
        #expect(try await f.core.taskInfo(ids[0]).state == .running)
        #expect(try await f.core.pilotInfo(p.id).agents == 1)

        try f.slurm.advance(job, to: .timeout)
        await f.core.pollPilots()
        await f.core.tick()
        let agent = try #require(await f.core.agentList().first { $0.id == a1 })
        #expect(agent.state == "lost")
        let crashed = try await f.core.taskInfo(ids[0])
        #expect(crashed.state == .ready)
        #expect(crashed.crashes == 1)
        // Bound but not reported started: it may have been starting when the node went, so it
        // counts as a crash too (the manager cannot tell), and it goes back to the queue.
        let neverStarted = try await f.core.taskInfo(ids[1])
        #expect(neverStarted.state == .ready)
        #expect(neverStarted.crashes == 1)
        #expect(try await f.core.pilotInfo(p.id).state == .timeout)

        // A late reconnect of the dead pilot's agent is refused; another pilot takes the work.
        await #expect(throws: ManagerError.self) { try await f.registerAgent("n1", pilot: p.id) }
        let a2 = try await f.registerAgent("n2", pilot: "p2", cores: 4)
        await f.core.tick()
        for id in ids { #expect(try await f.core.taskInfo(id).agent == a2) }
    }

    @Test func pilotsSurviveAManagerRestart() async throws {
        let f = try ManagerFixture()
        defer { f.cleanup() }
        let p = try #require(try await f.core.submitPilot(PilotSubmitRequest(profile: "local")).pilot)
        try f.slurm.advance(SlurmJobID(p.slurmJobID!), to: .running, nodes: ["n1", "n2"])
        await f.core.pollPilots()
        let again = try ManagerFixture(dir: f.dir, slurm: f.slurm)
        let restored = try await again.core.pilotInfo("p1")
        #expect(restored.slurmJobID == p.slurmJobID)
        #expect(restored.state == .running)
        #expect(restored.nodes == ["n1", "n2"])
        let next = try #require(try await again.core.submitPilot(PilotSubmitRequest(profile: "local")).pilot)
        #expect(next.id == "p2")
    }
}
