import Testing
@testable import PilotCore

/// QPU tasks queued at an agent behind the task holding their device slot (Scheduler+LeaseQueue).
@Suite struct SchedulerLeaseQueueTests {
    static func quantum(device: String? = "q", cores: Int = 1, policy: DevicePolicy? = nil) -> ResourceRequest {
        var r = ResourceRequest(cores: cores)
        r.qpu = QPUSelector(device: device, count: 1, policy: policy)
        return r
    }

    /// The scheduler of a 2-core agent that queues 16 deep, on a 4-slot device.
    static func twoCores() throws -> Scheduler {
        var s = Scheduler(devices: [QPUDeviceInfo(name: "q", qubits: 10, slots: 4)])
        try s.addAgent(1, resources: .uniform(hostname: "a", domains: 1, coresPerDomain: 2), depth: 16)
        return s
    }

    /// A QPU request no device could ever serve (an unknown device, more qubits or slots than any
    /// has) is passed over: it neither blocks the tasks behind it nor reserves a node for itself,
    /// which would have kept every task of unknown length off that node for good.
    @Test(arguments: [QPUSelector(device: "nosuch"), QPUSelector(device: "q", minQubits: 11), QPUSelector(device: "q", count: 5),
                      QPUSelector(device: nil, minQubits: 20)])
    func aQuantumTaskNoDeviceCouldServeHoldsNothingBack(_ q: QPUSelector) throws {
        var s = try Self.twoCores()
        var r = ResourceRequest(cores: 1)
        r.qpu = q
        #expect(!s.couldEverFit(r))
        s.enqueue(1, request: r)
        s.enqueue(2, request: ResourceRequest(cores: 1))
        s.enqueue(3, request: ResourceRequest(cores: 1))
        #expect(s.schedule(now: 0).map(\.task) == [2, 3])
        #expect(s.isQueued(1))
    }

    /// The same request waits its turn, and binds, once the device exists.
    @Test func aQuantumTaskForADeviceAddedLaterBindsThen() throws {
        var s = try Self.twoCores()
        var r = ResourceRequest(cores: 1)
        r.qpu = QPUSelector(device: "later")
        s.enqueue(1, request: r)
        s.enqueue(2, request: ResourceRequest(cores: 1))
        #expect(s.schedule(now: 0).map(\.task) == [2])
        s.setDevices([QPUDeviceInfo(name: "later", qubits: 5, slots: 1)])
        #expect(s.schedule(now: 0).map { $0.task } == [1])
    }

    @Test func aQueuedQuantumTaskTakesTheCoreAndSlotOfTheTaskAheadOfIt() throws {
        var s = try Self.twoCores()
        for i in 1...6 { s.enqueue(Int64(i), request: Self.quantum()) }
        let b = s.schedule(now: 0)
        // Runtimes unknown: one running and one queued per core, two slots in use, two tasks left.
        #expect(b.map(\.task) == [1, 2, 3, 4])
        #expect(s.queuedCount == 2)
        let running = Dictionary(uniqueKeysWithValues: b.prefix(2).map { ($0.qpu!.slots[0], $0.placements[0].cores) })
        #expect(Set(running.keys) == [0, 1])
        for q in b.suffix(2) {
            #expect(q.qpu?.device == "q")
            // Behind the running task on its slot, and on that task's own core.
            #expect(running[q.qpu!.slots[0]] == q.placements[0].cores)
        }
        #expect(s.deviceUsage["q"]!.used == 2)
    }

    @Test func aSlotStaysLeasedUntilEveryTaskQueuedBehindItHasEnded() throws {
        var s = try Self.twoCores()
        for i in 1...4 { s.enqueue(Int64(i), request: Self.quantum()) }
        let b = s.schedule(now: 0)
        let slot = b[0].qpu!.slots[0]
        let behind = b.first { $0.task != 1 && $0.qpu!.slots == [slot] }!
        s.release(1)
        #expect(s.deviceUsage["q"]!.used == 2)
        #expect(s.occupancy(of: 1)[b[0].placements[0].cores[0]] == 1)
        s.release(behind.task)
        #expect(s.deviceUsage["q"]!.used == 1)
    }

    @Test func instantTasksQueueAsDeepAsTheAgentAllows() throws {
        var s = try Self.twoCores()
        for _ in 0..<8 { s.observe(runtime: 0.0001, of: Self.quantum()) }
        for i in 1...40 { s.enqueue(Int64(i), request: Self.quantum()) }
        let b = s.schedule(now: 0)
        #expect(b.count == 32)
        #expect(s.occupancy(of: 1).values.allSatisfy { $0 == 16 })
        // Two chains, each on one core and one slot.
        var coresOfSlot: [Int: Set<Int>] = [:]
        for x in b { coresOfSlot[x.qpu!.slots[0], default: []].formUnion(x.placements[0].cores) }
        #expect(coresOfSlot.count == 2)
        #expect(coresOfSlot.values.allSatisfy { $0.count == 1 })
    }

    @Test func autoDevicesMultiCoreTasksAndShallowAgentsNeverQueueBehindALease() throws {
        var s = try Self.twoCores()
        s.enqueue(1, request: Self.quantum())
        s.enqueue(2, request: Self.quantum())
        #expect(s.schedule(now: 0).count == 2)
        s.enqueue(3, request: Self.quantum(policy: .fastest))
        s.enqueue(4, request: Self.quantum(cores: 2))
        #expect(s.schedule(now: 0).isEmpty)

        var shallow = Scheduler(devices: [QPUDeviceInfo(name: "q", qubits: 10, slots: 4)])
        try shallow.addAgent(1, resources: .uniform(hostname: "a", domains: 1, coresPerDomain: 1))
        shallow.enqueue(1, request: Self.quantum())
        shallow.enqueue(2, request: Self.quantum())
        #expect(shallow.schedule(now: 0).map(\.task) == [1])
    }

    @Test func aCoreThatAlsoHoldsOtherWorkIsNotJoined() throws {
        var s = Scheduler(devices: [QPUDeviceInfo(name: "q", qubits: 10, slots: 1)])
        try s.addAgent(1, resources: .uniform(hostname: "a", domains: 1, coresPerDomain: 1), depth: 4)
        s.enqueue(1, request: Self.quantum())
        s.enqueue(2, request: ResourceRequest(cores: 1))
        #expect(s.schedule(now: 0).map(\.task) == [1, 2])
        // The core now holds the quantum task and a plain one behind it: a second quantum task
        // would wait for both, so it waits at the manager instead.
        s.enqueue(3, request: Self.quantum())
        #expect(s.schedule(now: 0).isEmpty)
        s.release(2)
        #expect(s.schedule(now: 0).map(\.task) == [3])
    }

    @Test func aDeviceOfTooFewQubitsIsNotJoined() throws {
        var s = Scheduler(devices: [QPUDeviceInfo(name: "small", qubits: 2, slots: 1), QPUDeviceInfo(name: "big", qubits: 10, slots: 1)])
        try s.addAgent(1, resources: .uniform(hostname: "a", domains: 1, coresPerDomain: 2), depth: 4)
        var small = ResourceRequest(cores: 1); small.qpu = QPUSelector(device: "small", count: 1)
        var wide = ResourceRequest(cores: 1); wide.qpu = QPUSelector(device: nil, minQubits: 5, count: 1)
        s.enqueue(1, request: small)
        let first = s.schedule(now: 0)
        #expect(first.count == 1)
        s.enqueue(2, request: wide)
        let second = s.schedule(now: 0)
        #expect(second.map { $0.qpu?.device } == ["big"])
        // Both slots busy: the wide task queues only behind a device it fits.
        s.enqueue(3, request: wide)
        let third = s.schedule(now: 0)
        #expect(third.map { $0.qpu?.device } == ["big"])
        #expect(third.first?.placements[0].cores == second[0].placements[0].cores)
    }

    /// Random histories of quantum and plain tasks on agents that queue: every device slot's
    /// tasks are on one agent and one core, the slot is free exactly when no binding names it, at
    /// most the device's slots are in use, and no core holds more than its agent's depth.
    @Test(arguments: [21, 22, 23, 24, 25] as [UInt64])
    func randomHistoriesKeepEachSlotsTasksOnOneCore(seed: UInt64) throws {
        var rng = SchedulerPropertyTests.RNG(state: seed)
        let devices = [QPUDeviceInfo(name: "q1", qubits: 20, slots: 3), QPUDeviceInfo(name: "q2", qubits: 5, slots: 1)]
        var s = Scheduler(devices: devices)
        var depth: [Int: Int] = [:]
        var requests: [Int64: ResourceRequest] = [:]
        var next: Int64 = 1
        var queuedBehindLease = 0
        for k in 1...3 {
            let d = Int.random(in: 1...6, using: &rng)
            try s.addAgent(k, resources: .uniform(hostname: "n\(k)", domains: Int.random(in: 1...2, using: &rng),
                                                  coresPerDomain: Int.random(in: 1...3, using: &rng)), depth: d)
            depth[k] = d
        }
        for step in 0..<3000 {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0...3:
                let held = s.bindings.keys.sorted()
                if !held.isEmpty { s.release(held[Int.random(in: 0..<held.count, using: &rng)]) }
            case 4:
                if let t = requests.keys.randomElement(using: &rng) { s.withdraw(t) }
            case 5:
                s.observe(runtime: Bool.random(using: &rng) ? 0.0001 : 10, of: Self.quantum(device: "q1"))
            default:
                let r: ResourceRequest
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: r = ResourceRequest(cores: 1)
                case 1: r = Self.quantum(device: nil)
                case 2: r = Self.quantum(device: "q1", cores: Int.random(in: 1...2, using: &rng))
                default: r = Self.quantum(device: "q2")
                }
                requests[next] = r
                s.enqueue(next, request: r, time: Bool.random(using: &rng) ? 0.001 : nil)
                next += 1
            }
            let before = (1...3).map { s.occupancy(of: $0) }
            for b in s.schedule(now: Double(step)) {
                let r = requests[b.task]!
                #expect((b.qpu != nil) == (r.qpu != nil))
                if b.qpu != nil, !b.placements[0].cores.allSatisfy({ before[b.placements[0].agent - 1][$0] == 0 }) {
                    queuedBehindLease += 1
                }
            }
            var holders: [String: [Int: [NodePlacement]]] = [:]
            for b in s.bindings.values {
                guard let l = b.qpu else { continue }
                for sl in l.slots { holders[l.device, default: [:]][sl, default: []].append(b.placements[0]) }
            }
            for d in devices {
                let named = holders[d.name] ?? [:]
                #expect(named.count <= d.slots)
                #expect(s.deviceUsage[d.name]!.used == named.count, "device \(d.name) at step \(step)")
                for (sl, places) in named {
                    #expect(Set(places.map(\.agent)).count == 1, "slot \(d.name)/\(sl) on several agents")
                    if places.count > 1 {
                        #expect(Set(places.map(\.cores)).count == 1, "slot \(d.name)/\(sl) queued on several cores")
                        #expect(places[0].cores.count == 1)
                    }
                }
            }
            for k in 1...3 {
                for (c, n) in s.occupancy(of: k) { #expect(n <= depth[k]!, "core \(c) of agent \(k): \(n) tasks, depth \(depth[k]!)") }
            }
        }
        #expect(queuedBehindLease > 20)
    }
}
