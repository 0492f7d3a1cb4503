import Foundation
import PilotCore
import PilotProtocol
import PilotSlurm
import Testing
@testable import PilotManager

/// `pilot pilots drain` / `POST /v1/pilots/:id/drain` on the manager: every agent of the pilot is
/// told, with the deadline, and nothing new is bound to it.
@Suite struct PilotDrainTests {
    @Test func everyAgentOfThePilotIsToldAndGetsNothingNew() async throws {
        let f = try ManagerFixture()
        defer { f.cleanup() }
        let p = try #require(try await f.core.submitPilot(PilotSubmitRequest(profile: "local", overrides: PilotOverrides(nodes: 2))).pilot)
        try f.slurm.advance(SlurmJobID(p.slurmJobID!), to: .running, nodes: ["n1", "n2"])
        await f.core.pollPilots()
        let channels = [f.core.connect(), f.core.connect(), f.core.connect()]
        let a1 = try await register("n1", pilot: p.id, f, channels[0])
        let a2 = try await register("n2", pilot: p.id, f, channels[1])
        let other = try await register("m1", pilot: "p9", f, channels[2])
        for c in channels { _ = try await drained(c, f) }  // the welcomes

        let deadline = Date().timeIntervalSince1970 + 120
        let info = try await f.core.drainPilot(p.id, PilotDrainRequest(deadline: deadline, reason: "Slurm walltime warning"))
        #expect(info.drainDeadline == deadline)
        #expect(info.drainRequestedAt != nil)
        for c in channels[0...1] {
            let order = try #require(try await drained(c, f).first, "an agent of the pilot was not told")
            #expect(order == DrainOrder(reason: "Slurm walltime warning", deadline: deadline))
        }
        #expect(try await drained(channels[2], f).isEmpty, "an agent of another pilot was told to drain")
        let states = Dictionary(await f.core.agentList().map { ($0.id, $0.state) }, uniquingKeysWith: { a, _ in a })
        #expect(states[a1] == "draining" && states[a2] == "draining" && states[other] == "active")

        // New work goes to the other pilot only.
        for id in try await f.submit(2) { #expect(try await f.core.taskInfo(id).agent == other) }

        // A later request never extends the deadline, and an agent that registers later drains too.
        let again = try await f.core.drainPilot(p.id, PilotDrainRequest(deadline: deadline + 60))
        #expect(again.drainDeadline == deadline)
        let late = f.core.connect()
        _ = try await register("n3", pilot: p.id, f, late)
        #expect(try await drained(late, f).first?.deadline == deadline)

        // Without a deadline, and the job's end not known yet, each agent keeps its own end.
        let q = try #require(try await f.core.submitPilot(PilotSubmitRequest(profile: "local")).pilot)
        try f.slurm.advance(SlurmJobID(q.slurmJobID!), to: .running)
        await f.core.pollPilots()
        let qc = f.core.connect()
        _ = try await register("n4", pilot: q.id, f, qc)
        _ = try await drained(qc, f)
        #expect(try await f.core.drainPilot(q.id, PilotDrainRequest()).drainDeadline == nil)
        let open = try #require(try await drained(qc, f).first)
        #expect(open.deadline == nil && open.reason == "drain requested")

        let missing = await #expect(throws: ManagerError.self) { try await f.core.drainPilot("p7", PilotDrainRequest()) }
        #expect(missing?.code == .notFound)
        let bad = await #expect(throws: ManagerError.self) { try await f.core.drainPilot(p.id, PilotDrainRequest(deadline: -.infinity)) }
        #expect(bad?.code == .badRequest)
    }

    private func register(_ name: String, pilot: String, _ f: ManagerFixture, _ c: ConnectionID) async throws -> Int {
        let hello = AgentHello(token: "secret", agentUUID: "\(name)-\(pilot)", hostname: name, pilot: pilot,
                               resources: .uniform(hostname: name, domains: 1, coresPerDomain: 2), deadline: nil)
        return try f.core.register(hello, connection: c)
    }

    /// Drain orders among the frames the manager has written to this agent so far.
    private func drained(_ c: ConnectionID, _ f: ManagerFixture) async throws -> [DrainOrder] {
        f.core.unread(c).compactMap { $0.type == .drain ? $0.drain : nil }
    }
}
