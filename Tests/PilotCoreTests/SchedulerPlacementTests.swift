import Testing
@testable import PilotCore

@Suite struct SchedulerPlacementTests {
    @Test func multiCoreTaskIsPackedInOneNUMADomain() throws {
        var s = Scheduler()
        try s.addAgent(1, resources: .uniform(hostname: "a", domains: 2, coresPerDomain: 4))
        s.enqueue(1, request: ResourceRequest(cores: 1))
        s.enqueue(2, request: ResourceRequest(cores: 4))
        let b = s.schedule(now: 0)
        #expect(b.count == 2)
        let big = try #require(b.first { $0.task == 2 })
        #expect(big.placements[0].ranks[0].domains.count == 1)
        let domain = big.placements[0].ranks[0].domains[0]
        let small = try #require(b.first { $0.task == 1 })
        // Best fit: the 1-core task went to a domain, the 4-core task got the other one whole.
        #expect(small.placements[0].ranks[0].domains != [domain])
    }

    @Test func bestFitKeepsWholeDomainsFree() throws {
        var s = Scheduler()
        try s.addAgent(1, resources: .uniform(hostname: "a", domains: 2, coresPerDomain: 4))
        for i in 1...3 { s.enqueue(Int64(i), request: ResourceRequest(cores: 1)) }
        let b = s.schedule(now: 0)
        #expect(Set(b.flatMap { $0.placements[0].ranks[0].domains }).count == 1)
        s.enqueue(9, request: ResourceRequest(cores: 4))
        #expect(s.schedule(now: 0).map(\.task) == [9])
    }

    @Test func gpuTaskGetsCoresNearItsGPU() throws {
        var s = Scheduler()
        var node = NodeResources.uniform(hostname: "g", domains: 2, coresPerDomain: 4)
        node.gpus = [.init(index: 0, domain: 1), .init(index: 1, domain: 1)]
        try s.addAgent(1, resources: node)
        s.enqueue(1, request: ResourceRequest(cores: 2, gpus: 1))
        let b = try #require(s.schedule(now: 0).first)
        let rank = b.placements[0].ranks[0]
        #expect(rank.gpus.count == 1)
        #expect(rank.domains == [1])
        #expect(rank.cores.allSatisfy { (4..<8).contains($0) })
    }

    @Test func taskLargerThanAnyNodeIsNeverBound() throws {
        var s = Scheduler()
        try s.addAgent(1, resources: .uniform(hostname: "a", domains: 1, coresPerDomain: 2))
        s.enqueue(1, request: ResourceRequest(cores: 3))
        s.enqueue(2, request: ResourceRequest(cores: 1))
        #expect(!s.couldEverFit(ResourceRequest(cores: 3)))
        // The impossible task must not reserve the node and block the small one.
        #expect(s.schedule(now: 0).map(\.task) == [2])
    }

    @Test func gangBindsNodesOfOnePilotAtOnce() throws {
        var s = Scheduler()
        try s.addAgent(1, resources: .uniform(hostname: "p1a", domains: 1, coresPerDomain: 4), pilot: "p1")
        try s.addAgent(2, resources: .uniform(hostname: "p2a", domains: 1, coresPerDomain: 4), pilot: "p2")
        try s.addAgent(3, resources: .uniform(hostname: "p2b", domains: 1, coresPerDomain: 4), pilot: "p2")
        s.enqueue(1, request: ResourceRequest(cores: 1, nodes: 2, ranksPerNode: 2))
        let b = try #require(s.schedule(now: 0).first)
        #expect(Set(b.agents) == [2, 3])
        #expect(b.placements.allSatisfy { $0.ranks.count == 2 && $0.cores.count == 2 })
        s.release(1)
        #expect(s.usage(of: 2)?.freeCores == 4)
    }

    @Test func walltimeKeepsLongTasksOffEndingPilots() throws {
        var s = Scheduler()
        try s.addAgent(1, resources: .uniform(hostname: "a", domains: 1, coresPerDomain: 2), pilot: "p", deadline: 100)
        s.enqueue(1, request: ResourceRequest(cores: 1), time: 200)
        s.enqueue(2, request: ResourceRequest(cores: 1), time: 50)
        #expect(s.schedule(now: 10).map(\.task) == [2])
        try s.addAgent(2, resources: .uniform(hostname: "b", domains: 1, coresPerDomain: 2), pilot: "q", deadline: 1000)
        #expect(s.schedule(now: 10).map(\.task) == [1])
    }

    @Test func drainingAgentTakesNothing() throws {
        var s = Scheduler()
        try s.addAgent(1, resources: .uniform(hostname: "a", domains: 1, coresPerDomain: 2))
        s.setDraining(1)
        s.enqueue(1, request: ResourceRequest(cores: 1))
        #expect(s.schedule(now: 0).isEmpty)
        s.setDraining(1, false)
        #expect(s.schedule(now: 0).count == 1)
    }

    @Test func qpuLeasesHoldAcrossAgents() throws {
        var s = Scheduler(devices: [QPUDeviceInfo(name: "sc27", qubits: 27, slots: 2), QPUDeviceInfo(name: "ion", qubits: 11, slots: 1)])
        for k in 1...3 { try s.addAgent(k, resources: .uniform(hostname: "n\(k)", domains: 1, coresPerDomain: 4), pilot: "p\(k)") }
        for i in 1...6 { s.enqueue(Int64(i), request: ResourceRequest(cores: 1, qpu: QPUSelector(device: "sc27"))) }
        let first = s.schedule(now: 0)
        #expect(first.count == 2)
        #expect(Set(first.flatMap { $0.qpu!.slots }) == [0, 1])
        s.release(first[0].task)
        let next = s.schedule(now: 0)
        #expect(next.count == 1)
        #expect(next[0].qpu == first[0].qpu)
        // Requirement-based selection skips the narrow device.
        s.enqueue(100, request: ResourceRequest(cores: 1, qpu: try QPUSelector(parsing: "any:qubits>=20:1")))
        s.enqueue(101, request: ResourceRequest(cores: 1, qpu: try QPUSelector(parsing: "any:1")))
        let more = s.schedule(now: 0)
        #expect(more.map { $0.qpu!.device } == ["ion"])
    }

    @Test func unreachableDeviceIsNotLeasedThroughThatAgent() throws {
        var s = Scheduler(devices: [QPUDeviceInfo(name: "ion", qubits: 11, slots: 1)])
        var node = NodeResources.uniform(hostname: "n", domains: 1, coresPerDomain: 2)
        node.qpuDevices = ["other"]
        try s.addAgent(1, resources: node)
        s.enqueue(1, request: ResourceRequest(cores: 1, qpu: QPUSelector(device: "ion")))
        #expect(s.schedule(now: 0).isEmpty)
        #expect(s.deviceUsage["ion"]?.used == 0)
    }

    @Test func lostAgentReleasesItsTasksAndLeases() throws {
        var s = Scheduler(devices: [QPUDeviceInfo(name: "d", qubits: 5, slots: 1)])
        try s.addAgent(1, resources: .uniform(hostname: "a", domains: 1, coresPerDomain: 2))
        s.enqueue(1, request: ResourceRequest(cores: 1, qpu: QPUSelector(device: "d")))
        s.enqueue(2, request: ResourceRequest(cores: 1))
        #expect(s.schedule(now: 0).count == 2)
        let lost = s.removeAgent(1)
        #expect(lost == [1, 2])
        #expect(s.deviceUsage["d"]?.used == 0)
        #expect(s.boundCount == 0)
    }

    @Test func adoptReinstallsAndRefusesConflicts() throws {
        var s = Scheduler()
        try s.addAgent(7, resources: .uniform(hostname: "a", domains: 1, coresPerDomain: 2))
        let b = Binding(task: 5, placements: [NodePlacement(agent: 7, ranks: [.init(cores: [1], pus: [1], gpus: [], domains: [0])])])
        let adopted = s.adopt(b)
        #expect(adopted)
        let clash = Binding(task: 6, placements: [NodePlacement(agent: 7, ranks: [.init(cores: [1], pus: [1], gpus: [], domains: [0])])])
        let clashed = s.adopt(clash)
        #expect(!clashed)
        s.enqueue(8, request: ResourceRequest(cores: 1))
        #expect(s.schedule(now: 0).first?.placements[0].cores == [0])
    }
}
