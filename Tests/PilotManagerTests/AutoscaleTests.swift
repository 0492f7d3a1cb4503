import Foundation
import PilotCore
import PilotProtocol
import PilotSlurm
import Testing
@testable import PilotManager

/// Allocation queues against a scripted Slurm: submit while work waits, stop at the limits,
/// cancel idle pilots, pause after repeated failures to start.
@Suite struct AutoscaleTests {
    func job(_ f: ManagerFixture, _ pilot: String) async throws -> SlurmJobID {
        SlurmJobID(try #require(try await f.core.pilotInfo(pilot).slurmJobID))
    }

    @Test func submitsWhileTasksWaitWithinBacklogAndMax() async throws {
        let f = try ManagerFixture()
        defer { f.cleanup() }
        _ = try await f.core.addAllocQueue(AllocQueueRequest(profile: "local", overrides: PilotOverrides(nodes: 1), maxPilots: 2))
        await f.core.pollPilots()
        #expect(f.slurm.submittedRequests.isEmpty, "no work, no pilot")
        _ = try await f.submit(10)
        await f.core.pollPilots()
        await f.core.pollPilots()
        // Backlog 1: the second pilot waits until the first one's agents are in.
        #expect(f.slurm.submittedRequests.count == 1)
        try f.slurm.advance(try await job(f, "p1"), to: .running)
        try await f.registerAgent("n1", pilot: "p1", cores: 2)
        await f.core.tick()
        await f.core.pollPilots()
        #expect(f.slurm.submittedRequests.count == 2)
        #expect(try await f.core.pilotInfo("p2").queue == 1)
        try f.slurm.advance(try await job(f, "p2"), to: .running)
        try await f.registerAgent("n2", pilot: "p2", cores: 2)
        await f.core.tick()
        await f.core.pollPilots()
        #expect(f.slurm.submittedRequests.count == 2, "max_pilots reached while 6 tasks still wait")
        #expect(await f.core.allocQueueList().first?.pilots == ["p1", "p2"])
    }

    @Test func anIdlePilotIsCancelled() async throws {
        let f = try ManagerFixture()
        defer { f.cleanup() }
        _ = try await f.core.addAllocQueue(AllocQueueRequest(profile: "local", maxPilots: 1, idleTimeout: 0))
        let ids = try await f.submit(1)
        await f.core.pollPilots()
        let j = try await job(f, "p1")
        try f.slurm.advance(j, to: .running)
        let a = try await f.registerAgent("n1", pilot: "p1")
        await f.core.tick()
        await f.core.pollPilots()
        #expect(try f.slurm.job(j)?.state == .running, "busy pilots stay")
        await f.core.handle(.finished([TaskOutcome(key: TaskKey(task: ids[0], attempt: 1), kind: .exited, exitCode: 0,
                                                   startedAt: 1, endedAt: 2)]), from: a)
        await f.core.tick()
        await f.core.pollPilots()
        #expect(try f.slurm.job(j)?.state == .cancelled)
        await f.core.pollPilots()
        #expect(try await f.core.pilotInfo("p1").state == .cancelled)
    }

    @Test func repeatedFailuresToStartPauseTheQueueWithAReason() async throws {
        let f = try ManagerFixture()
        defer { f.cleanup() }
        _ = try await f.core.addAllocQueue(AllocQueueRequest(profile: "local", maxPilots: 4, maxFailures: 2))
        _ = try await f.submit(3)
        await f.core.pollPilots()
        try f.slurm.advance(try await job(f, "p1"), to: .failed, reason: "JobLaunchFailure")
        await f.core.pollPilots()
        #expect(f.slurm.submittedRequests.count == 2, "one failure: retried")
        try f.slurm.advance(try await job(f, "p2"), to: .failed, reason: "JobLaunchFailure")
        await f.core.pollPilots()
        await f.core.pollPilots()
        #expect(f.slurm.submittedRequests.count == 2, "paused: no third pilot")
        let q = try #require(await f.core.allocQueueList().first)
        #expect(q.state == .paused)
        #expect(q.reason?.contains("JobLaunchFailure") == true, "\(q.reason ?? "")")
        #expect(q.reason?.contains("2 failed pilot starts") == true, "\(q.reason ?? "")")
        _ = try await f.core.resumeAllocQueue(q.id)
        await f.core.pollPilots()
        #expect(f.slurm.submittedRequests.count == 3)
    }

    @Test func badQueuesAreRefused() async throws {
        let f = try ManagerFixture()
        defer { f.cleanup() }
        let e1 = await #expect(throws: ManagerError.self) { try await f.core.addAllocQueue(AllocQueueRequest(profile: "local", maxPilots: 0)) }
        #expect(e1?.field == "max_pilots")
        let e2 = await #expect(throws: ManagerError.self) {
            try await f.core.addAllocQueue(AllocQueueRequest(profile: "local", overrides: PilotOverrides(walltime: "x"), maxPilots: 1))
        }
        #expect(e2?.field == "overrides.walltime")
    }
}
