import Foundation
import PilotCore
import PilotMiniApps
import PilotQuantum
import PilotWorkflow
import Testing

/// A batched variational round (one parameterized circuit, a PUB task per slot) must give what
/// one single-circuit task per evaluation gives.
@Suite struct RoundBatchTests {
    /// Every expectation value of every evaluation, batched against unbatched, to 1e-12.
    @Test(arguments: [1, 3, 81])
    func batchedResultsEqualUnbatchedOnes(tasks: Int) async throws {
        var configuration = VQEConfiguration()
        configuration.qubits = 4
        configuration.layers = 4
        let state = try VQEState(configuration)
        let jobs = state.pendingJobs()
        let batch = try #require(state.pendingBatch())
        #expect(batch.bindings.count == jobs.count)

        var batched: [QuantumResult] = []
        for (k, slice) in batch.slices(tasks: tasks).enumerated() {
            let job = try PUBJob.parse(try batch.pubJobJSON(slice, device: "ideal-sim", seed: batch.seed &+ UInt64(k)))
            let result = try await PUBExecutor.run(job, on: FakeAgent.device, threads: 1, latencyScale: 0)
            batched += try batch.results(of: PUBJobResult.decode(try result.jsonData()), slice)
        }
        #expect(batched.count == jobs.count)
        var worst = 0.0
        for (job, b) in zip(jobs, batched) {
            let single = try await QPUExecutor.run(job, on: FakeAgent.device, threads: 1, latencyScale: 0)
            #expect(single.expectations.map(\.observable) == b.expectations.map(\.observable))
            for (s, x) in zip(single.expectations, b.expectations) { worst = max(worst, abs(s.value - x.value)) }
        }
        #expect(worst <= 1e-12)
    }

    /// The hand-written job reads back with every binding bit for bit, and the fast reading of
    /// its estimator result equals `JSONDecoder`'s.
    @Test func jobAndResultRoundTrip() async throws {
        var configuration = VQEConfiguration()
        configuration.qubits = 3
        configuration.layers = 2
        let batch = try #require(try VQEState(configuration).pendingBatch())
        let slice = 2..<7
        let job = try PUBJob.parse(try batch.pubJobJSON(slice, device: "ideal-sim", seed: 77))
        #expect(job.seed == 77)
        #expect(job.device == "ideal-sim")
        #expect(job.pubs[0].parameterOrder == batch.parameters)
        #expect(job.pubs[0].bindings == Array(batch.bindings[slice].joined()))
        let result = try await PUBExecutor.run(job, on: FakeAgent.device, threads: 1, latencyScale: 0)
        let data = try result.jsonData()
        #expect(try PUBJobResult.read(data) == PUBJobResult.decode(data))
        #expect(try PUBJobResult.read(data) == result)
    }

    @Test func slicesCoverTheRoundInOrder() {
        let batch = RoundBatch(circuit: "", parameters: [], bindings: Array(repeating: [], count: 10), observables: [],
                               qubits: 1, shots: 0, seed: 0)
        #expect(batch.slices(tasks: 4) == [0..<2, 2..<5, 5..<7, 7..<10])
        #expect(batch.slices(tasks: 20).count == 10)
        #expect(batch.slices(tasks: 0) == [0..<10])
    }

    /// The driver with batched rounds follows the in-process loop (single circuits) round for
    /// round, to 1e-12 in the energy.
    @Test func batchedDriverFollowsTheInProcessLoop() async throws {
        var driver = try VQEDriver(plan: FakeAgent.plan("vqe", params: [("qubits", .int(3)), ("layers", .int(1)),
                                                                       ("seed", .int(9)), ("tasks_per_round", .int(3))]),
                                   context: FakeAgent.context)
        let reference = try await FakeAgent.referenceVQE(qubits: 3, layers: 1, seed: 9, rounds: 4)
        try await FakeAgent.drive(&driver, rounds: 4, expectTasks: 3)
        let energies = driver.state.rounds.map(\.energy)
        #expect(energies.count == 4)
        for (a, b) in zip(energies, reference.history.map(\.energy)) { #expect(abs(a - b) <= 1e-12) }
    }
}
