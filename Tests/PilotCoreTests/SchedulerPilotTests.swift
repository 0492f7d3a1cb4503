import Foundation
import Testing
@testable import PilotCore

/// Tasks pinned to one pilot (`pilot` in the task, Pilot-Quantum's `submit_task(..., pilot=NAME)`).
@Suite struct SchedulerPilotTests {
    private func twoPilots(depth: Int = 1) throws -> Scheduler {
        var s = Scheduler()
        try s.addAgent(1, resources: .uniform(hostname: "a1", domains: 1, coresPerDomain: 2), pilot: "alpha", depth: depth)
        try s.addAgent(2, resources: .uniform(hostname: "b1", domains: 1, coresPerDomain: 2), pilot: "beta", depth: depth)
        try s.addAgent(3, resources: .uniform(hostname: "b2", domains: 1, coresPerDomain: 2), pilot: "beta", depth: depth)
        return s
    }

    @Test func pinnedTasksBindOnlyToAgentsOfTheirPilot() throws {
        var s = try twoPilots()
        for i in 1...6 { s.enqueue(Int64(i), request: ResourceRequest(cores: 1, pilot: "beta")) }
        let b = s.schedule(now: 0)
        // Beta has four cores: four tasks bind there and none on alpha, though alpha is idle.
        #expect(b.count == 4)
        #expect(Set(b.flatMap(\.agents)) == [2, 3])
        #expect(s.queuedCount == 2)
        #expect(s.usage(of: 1)?.freeCores == 2)
    }

    @Test func unpinnedTasksStillUseEveryPilot() throws {
        var s = try twoPilots()
        s.enqueue(1, request: ResourceRequest(cores: 2, pilot: "alpha"))
        for i in 2...3 { s.enqueue(Int64(i), request: ResourceRequest(cores: 2)) }
        let b = s.schedule(now: 0)
        #expect(b.count == 3)
        #expect(b.first { $0.task == 1 }?.agents == [1])
        #expect(Set(b.filter { $0.task != 1 }.flatMap(\.agents)) == [2, 3])
    }

    @Test func aBlockedPinnedClassDoesNotHoldBackOthers() throws {
        var s = try twoPilots()
        // Alpha is full; its next pinned task waits while beta's and unpinned work keep binding.
        s.enqueue(1, request: ResourceRequest(cores: 2, pilot: "alpha"))
        s.enqueue(2, request: ResourceRequest(cores: 2, pilot: "alpha"), priority: 10)
        s.enqueue(3, request: ResourceRequest(cores: 1, pilot: "beta"))
        s.enqueue(4, request: ResourceRequest(cores: 1))
        let b = s.schedule(now: 0)
        #expect(Set(b.map(\.task)) == [2, 3, 4])
        #expect(s.isQueued(1))
        s.release(2)
        #expect(s.schedule(now: 1).map(\.task) == [1])
    }

    @Test func pilotWithoutAgentsCannotFitUntilOneRegisters() throws {
        var s = try twoPilots()
        let r = ResourceRequest(cores: 1, pilot: "gamma")
        #expect(!s.couldEverFit(r))
        s.enqueue(1, request: r)
        #expect(s.schedule(now: 0).isEmpty)
        try s.addAgent(4, resources: .uniform(hostname: "g1", domains: 1, coresPerDomain: 1), pilot: "gamma")
        #expect(s.couldEverFit(r))
        #expect(s.schedule(now: 0).first?.agents == [4])
    }

    @Test func agentsOfNoPilotNeverTakePinnedTasks() throws {
        var s = Scheduler()
        try s.addAgent(1, resources: .uniform(hostname: "local", domains: 1, coresPerDomain: 4))
        s.enqueue(1, request: ResourceRequest(cores: 1, pilot: "alpha"))
        #expect(s.schedule(now: 0).isEmpty)
        #expect(!s.couldEverFit(ResourceRequest(cores: 1, pilot: "alpha")))
    }

    @Test func gangsStayOnTheNamedPilot() throws {
        var s = try twoPilots()
        try s.addAgent(4, resources: .uniform(hostname: "a2", domains: 1, coresPerDomain: 2), pilot: "alpha")
        // Beta sorts after alpha: a pinned gang must skip alpha although alpha could hold it.
        s.enqueue(1, request: ResourceRequest(cores: 1, nodes: 2, pilot: "beta"))
        let b = try #require(s.schedule(now: 0).first)
        #expect(Set(b.agents) == [2, 3])
    }

    @Test func prefetchQueuesPinnedTasksOnlyOnTheirPilot() throws {
        var s = try twoPilots(depth: 2)
        for i in 1...4 { s.enqueue(Int64(i), request: ResourceRequest(cores: 1)) }
        for i in 5...6 { s.enqueue(Int64(i), request: ResourceRequest(cores: 1)) }
        _ = s.schedule(now: 0)
        // Every core holds a task; the pinned one may queue only behind alpha's.
        s.enqueue(10, request: ResourceRequest(cores: 1, pilot: "alpha"))
        let b = try #require(s.schedule(now: 0).first { $0.task == 10 })
        #expect(b.agents == [1])
    }

    @Test func pinnedRequestsAreTheirOwnClass() {
        let a = ResourceRequest(cores: 1, pilot: "alpha"), b = ResourceRequest(cores: 1, pilot: "beta")
        #expect(a != b)
        #expect(a != ResourceRequest(cores: 1))
    }

    @Test(arguments: ["", "two words", "tab\there", String(repeating: "p", count: 201)])
    func badPilotNamesAreRefused(_ name: String) {
        #expect(throws: CoreError.self) { try ResourceRequest(cores: 1, pilot: name).validate() }
        do {
            try ResourceRequest(cores: 1, pilot: name).validate()
        } catch {
            #expect(error.field == "pilot")
        }
    }

    @Test func pilotFieldRoundTripsThroughJSONAndTheDraft() throws {
        let spec = try JSONDecoder().decode(TaskSpec.self, from: Data(#"{"command":["true"],"pilot":"p-3"}"#.utf8))
        #expect(spec.request.pilot == "p-3")
        let again = try JSONDecoder().decode(TaskSpec.self, from: try JSONEncoder().encode(spec))
        #expect(again == spec)
        var d = TaskDraft()
        try d.set("pilot", .text("p-3"), path: "--pilot")
        d.spec.command = ["true"]
        #expect(try d.build().request.pilot == "p-3")
        #expect(TaskField.named("pilot")?.flag == "--pilot")
    }
}
