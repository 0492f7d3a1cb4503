import Testing
@testable import PilotQuantum

@Suite struct QPUDeviceQueueTests {
    @Test func jobsBeyondTheConcurrencyLimitWait() async throws {
        let profile = QPUDeviceProfile(name: "ion", qubits: 2, maxConcurrentJobs: 1,
                                       latency: .init(queueWait: 0, perCircuit: 0.05, perShot: 0))
        let queue = QPUDeviceQueue(profile: profile)
        let job = QuantumJob(circuit: ExecutorTests.bell, shots: 10, seed: 1, device: "ion")
        let waits = try await withThrowingTaskGroup(of: Double.self) { group in
            for _ in 0..<3 {
                group.addTask { try await queue.run(job, threads: 1).timings.queueWaitSeconds }
            }
            var all: [Double] = []
            for try await w in group { all.append(w) }
            return all.sorted()
        }
        // One slot, each job holds it ≥ 0.05 s: the second waits ≥ 0.05 s, the third ≥ 0.10 s.
        #expect(waits[1] >= 0.05 - 1e-3)
        #expect(waits[2] >= 0.10 - 1e-3)
        #expect(await queue.activeJobs == 0)
        #expect(await queue.waitingJobs == 0)
    }

    @Test func cancelledWaiterLeavesTheQueue() async throws {
        let profile = QPUDeviceProfile(name: "ion", qubits: 2, maxConcurrentJobs: 1,
                                       latency: .init(queueWait: 0, perCircuit: 600, perShot: 0))
        let queue = QPUDeviceQueue(profile: profile)
        let job = QuantumJob(circuit: ExecutorTests.bell, shots: 10, seed: 1, device: "ion")
        // The first job holds the slot for ten minutes (until cancelled), so the checks below can't
        // race its end on a loaded machine.
        let first = Task { try await queue.run(job, threads: 1) }
        // Wait until the first job holds the slot before queueing the second.
        while await queue.activeJobs == 0 { await Task.yield() }
        let second = Task { try await queue.run(job, threads: 1) }
        while await queue.waitingJobs == 0 { await Task.yield() }
        second.cancel()
        await #expect(throws: QuantumError.self) { try await second.value }
        #expect(await queue.waitingJobs == 0)
        first.cancel()
        _ = try? await first.value
        #expect(await queue.waitingJobs == 0)
        #expect(await queue.activeJobs == 0)
    }
}
