import Testing
@testable import PilotCore

@Suite struct SchedulerOrderTests {
    @Test func priorityFirstThenFIFO() throws {
        var s = Scheduler()
        s.enqueue(1, request: ResourceRequest(cores: 1))
        s.enqueue(2, request: ResourceRequest(cores: 2))
        s.enqueue(3, request: ResourceRequest(cores: 1), priority: 5)
        s.enqueue(4, request: ResourceRequest(cores: 1))
        try s.addAgent(1, resources: .uniform(hostname: "a", domains: 1, coresPerDomain: 1))
        var order: [Int64] = []
        for _ in 0..<3 {
            let b = s.schedule(now: 0)
            #expect(b.count == 1)
            order.append(b[0].task)
            s.release(b[0].task)
        }
        // 2 needs two cores and never fits a 1-core node; the rest go by priority then age.
        #expect(order == [3, 1, 4])
    }

    @Test func smallTasksBackfillButDoNotStarveTheBlockedOne() throws {
        var s = Scheduler()
        try s.addAgent(1, resources: .uniform(hostname: "a", domains: 1, coresPerDomain: 4))
        try s.addAgent(2, resources: .uniform(hostname: "b", domains: 1, coresPerDomain: 4))
        // Fill both nodes partly with long tasks of unknown length.
        s.enqueue(1, request: ResourceRequest(cores: 2))
        s.enqueue(2, request: ResourceRequest(cores: 3))
        #expect(s.schedule(now: 0).count == 2)
        // A 4-core task cannot fit; 1-core tasks queue behind it.
        s.enqueue(10, request: ResourceRequest(cores: 4))
        for i in 11...20 { s.enqueue(Int64(i), request: ResourceRequest(cores: 1)) }
        let backfill = s.schedule(now: 0)
        // One node is reserved for the big task; only the other node backfills.
        let usedAgents = Set(backfill.flatMap(\.agents))
        #expect(usedAgents.count == 1)
        #expect(backfill.count == (usedAgents.first == 1 ? 2 : 1))
        // A short task with a known end may use the reserved node only if it ends before the node drains:
        // the node's running task has no time, so it may not.
        s.enqueue(30, request: ResourceRequest(cores: 1), time: 1)
        #expect(s.schedule(now: 0).isEmpty)
        // When the reserved node's long task ends, the big task takes it before any small one.
        let reserved = usedAgents.first == 1 ? 2 : 1
        let holder: Int64 = reserved == 1 ? 1 : 2
        s.release(holder)
        let next = s.schedule(now: 0)
        #expect(next.first?.task == 10)
        #expect(next.first?.agents == [reserved])
    }

    @Test func withdrawnTasksAreSkipped() throws {
        var s = Scheduler()
        for i in 1...3 { s.enqueue(Int64(i), request: ResourceRequest(cores: 1)) }
        let first = s.withdraw(2)
        let again = s.withdraw(2)
        #expect(first && !again)
        try s.addAgent(1, resources: .uniform(hostname: "a", domains: 1, coresPerDomain: 8))
        #expect(s.schedule(now: 0).map(\.task) == [1, 3])
        #expect(s.queuedCount == 0)
    }

    @Test func limitBoundsOnePass() throws {
        var s = Scheduler()
        try s.addAgent(1, resources: .uniform(hostname: "a", domains: 1, coresPerDomain: 64))
        for i in 1...50 { s.enqueue(Int64(i), request: ResourceRequest(cores: 1)) }
        #expect(s.schedule(now: 0, limit: 10).count == 10)
        #expect(s.queuedCount == 40)
    }
}
