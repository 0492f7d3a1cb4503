import Testing
@testable import PilotCore

/// `qpu: auto` at bind time: the scheduler ranks the task's own predictions with each device's
/// live leases, and either binds to the best device or keeps the task waiting for it.
@Suite struct SchedulerDeviceChoiceTests {
    static let devices = [QPUDeviceInfo(name: "fast", qubits: 10, slots: 1), QPUDeviceInfo(name: "slow", qubits: 20, slots: 1),
                          QPUDeviceInfo(name: "clean", qubits: 10, slots: 1)]

    func scheduler(agents: Int = 2) throws -> Scheduler {
        var s = Scheduler(devices: Self.devices)
        for k in 1...agents { try s.addAgent(k, resources: .uniform(hostname: "n\(k)", domains: 1, coresPerDomain: 4)) }
        return s
    }

    func auto(_ policy: String) throws -> ResourceRequest {
        ResourceRequest(cores: 1, qpu: try QPUSelector(parsing: "auto:\(policy)"))
    }

    static let estimates = [DeviceEstimate(device: "fast", runtime: 1, fidelity: 0.80),
                            DeviceEstimate(device: "slow", runtime: 10, fidelity: 0.90),
                            DeviceEstimate(device: "clean", runtime: 4, fidelity: 0.99)]

    @Test func eachPolicyPicksItsDeviceAndTheDecisionIsKeptForTheCaller() throws {
        for (policy, device) in [("fastest", "fast"), ("fidelity", "clean"), ("balanced", "fast")] {
            var s = try scheduler()
            s.enqueue(1, request: try auto(policy), estimates: Self.estimates)
            let b = s.schedule(now: 0)
            #expect(b.map { $0.qpu?.device } == [device], "\(policy)")
            let chosen29 = s.takeChoice(of: 1)
            let choice = try #require(chosen29)
            #expect(choice.policy.rawValue == policy)
            #expect(choice.chosen.device == device)
            #expect(choice.ranked.count == 3)
            let chosen34 = s.takeChoice(of: 1)
            #expect(chosen34 == nil, "chosen once")
        }
    }

    @Test func fastestWaitsForABusyDeviceThatStillEndsFirst() throws {
        var s = try scheduler()
        s.enqueue(1, request: try auto("fastest"), estimates: Self.estimates)
        #expect(s.schedule(now: 0).map { $0.qpu?.device } == ["fast"])
        // At 0.5 s, fast frees at 1 s and takes 1 s: ends at 2 s, before clean (4 s) or slow (10 s).
        s.enqueue(2, request: try auto("fastest"), estimates: Self.estimates)
        #expect(s.schedule(now: 0.5).isEmpty)
        #expect(s.isQueued(2))
        let chosen47 = s.takeChoice(of: 2)
        #expect(chosen47 == nil)
        s.release(1)
        let b = s.schedule(now: 1)
        #expect(b.map { $0.qpu?.device } == ["fast"])
        let chosen52 = s.takeChoice(of: 2)
        #expect(chosen52?.chosen.wait == 0)
    }

    @Test func fastestTakesAFreeDeviceWhenTheBusyOneWouldEndLater() throws {
        var s = try scheduler()
        let long = [DeviceEstimate(device: "fast", runtime: 5, fidelity: 0.8), DeviceEstimate(device: "clean", runtime: 6, fidelity: 0.99)]
        s.enqueue(1, request: try auto("fastest"), estimates: long)
        _ = s.schedule(now: 0)
        s.enqueue(2, request: try auto("fastest"), estimates: long)
        #expect(s.schedule(now: 0).map { $0.qpu?.device } == ["clean"])
        let chosen63 = s.takeChoice(of: 2)
        let c = try #require(chosen63)
        #expect(c.ranked.map(\.device) == ["clean", "fast"])
        #expect(c.ranked[1].wait == 5)
    }

    @Test func aLeasePastItsPredictionIsExpectedToRunAsLongAgainAsItHas() throws {
        var s = try scheduler()
        s.enqueue(1, request: try auto("fastest"), estimates: Self.estimates)
        _ = s.schedule(now: 0)
        // Predicted to end at 1 s; at 3 s it has run 3 s, so it is expected to need 3 s more.
        #expect(s.wait(for: "fast", count: 1, now: 3) == 3)
        #expect(s.wait(for: "clean", count: 1, now: 3) == 0)
    }

    @Test func aLeaseWithNoPredictionNeverCountsAsFreeing() throws {
        var s = try scheduler()
        s.enqueue(1, request: ResourceRequest(cores: 1, qpu: QPUSelector(device: "fast")))
        _ = s.schedule(now: 0)
        #expect(s.wait(for: "fast", count: 1, now: 0).isInfinite)
        // A named task's time request is its prediction.
        s.enqueue(2, request: ResourceRequest(cores: 1, qpu: QPUSelector(device: "clean")), time: 7)
        _ = s.schedule(now: 0)
        #expect(s.wait(for: "clean", count: 1, now: 2) == 5)
    }

    @Test func withoutPredictionsAutoTakesTheDeviceWithMostFreeSlots() throws {
        var s = Scheduler(devices: [QPUDeviceInfo(name: "a", qubits: 5, slots: 1), QPUDeviceInfo(name: "b", qubits: 5, slots: 3)])
        try s.addAgent(1, resources: .uniform(hostname: "n", domains: 1, coresPerDomain: 4))
        s.enqueue(1, request: try auto("fidelity"))
        #expect(s.schedule(now: 0).map { $0.qpu?.device } == ["b"])
        let chosen94 = s.takeChoice(of: 1)
        #expect(chosen94 == nil)
        // Predictions only for devices nobody registered: the same fallback, not a task that waits forever.
        s.enqueue(2, request: try auto("fidelity"), estimates: [DeviceEstimate(device: "gone", runtime: 1, fidelity: 1)])
        #expect(s.schedule(now: 0).map { $0.qpu?.device } == ["b"])
    }

    @Test func narrowAndUnreachableDevicesAreNotCandidates() throws {
        var s = Scheduler(devices: Self.devices)
        var node = NodeResources.uniform(hostname: "n", domains: 1, coresPerDomain: 4)
        node.qpuDevices = ["fast", "slow"]
        try s.addAgent(1, resources: node)
        // clean has the best fidelity but no agent reaches it; fast is too narrow for 15 qubits.
        s.enqueue(1, request: ResourceRequest(cores: 1, qpu: try QPUSelector(parsing: "auto:fidelity:qubits>=15")), estimates: Self.estimates)
        #expect(s.schedule(now: 0).map { $0.qpu?.device } == ["slow"])
        let chosen109 = s.takeChoice(of: 1)
        #expect(chosen109?.ranked.map(\.device) == ["slow"])
    }

    @Test func predictionsLeaveWithTheTask() throws {
        var s = try scheduler()
        s.enqueue(1, request: try auto("fastest"), estimates: Self.estimates)
        s.enqueue(2, request: try auto("fastest"), estimates: Self.estimates)
        let withdrew = s.withdraw(2)
        #expect(withdrew)
        _ = s.schedule(now: 0)
        #expect(s.estimates.count == 1 && s.leaseSpans.count == 1)
        s.release(1)
        #expect(s.estimates.isEmpty && s.leaseSpans.isEmpty && s.choices.isEmpty)
    }

    @Test func autoSelectorsParseAndPrintBack() throws {
        let plain = try QPUSelector(parsing: "auto")
        #expect(plain.policy == .balanced && plain.device == nil && plain.count == 1)
        let full = try QPUSelector(parsing: "auto:fidelity:qubits>=5:2")
        #expect(full.policy == .fidelity && full.minQubits == 5 && full.count == 2)
        #expect(full.text == "auto:fidelity:qubits>=5:2")
        #expect(try QPUSelector(parsing: full.text) == full)
        #expect(try QPUSelector(parsing: "any:2").policy == nil)
        let e = #expect(throws: CoreError.self) { try QPUSelector(parsing: "auto:quickest") }
        #expect(e?.message.contains("policy (fastest, fidelity, balanced)") == true)
        #expect(throws: CoreError.self) { try QPUSelector(parsing: "ibm:fidelity") }
    }
}
