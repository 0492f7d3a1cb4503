import Foundation
import Testing
@testable import PilotSlurm

@Suite struct FakeSlurmClientTests {
    func request(_ name: String, nodes: Int = 2) -> BatchJobRequest {
        BatchJobRequest(script: "#!/bin/sh\ntrue\n", name: name, nodes: nodes, timeLimitMinutes: 10,
                        workingDirectory: "/tmp", environment: ["A": "1"])
    }

    @Test func drivesAJobThroughItsLifecycle() throws {
        let fake = FakeSlurmClient(firstJobID: 100)
        let id = try fake.submit(request("pilot-a"))
        #expect(id == 100)
        #expect(try fake.job(id)?.state == .pending)
        #expect(fake.submittedRequests.map(\.name) == ["pilot-a"])

        try fake.advance(id, to: .running)
        let running = try #require(try fake.job(id))
        #expect(running.state == .running)
        #expect(running.nodes == ["n1", "n2"])
        #expect(running.startTime != nil)

        try fake.advance(id, to: .completed)
        let done = try #require(try fake.job(id))
        #expect(done.state.isFinal)
        #expect(done.exitCode == SlurmExitCode(status: 0))
        fake.forget(id)
        #expect(try fake.job(id) == nil)
    }

    @Test func cancelAndSignalBehaveLikeSlurm() throws {
        let fake = FakeSlurmClient()
        let a = try fake.submit(request("a"))
        let b = try fake.submit(request("b"))
        try fake.advance(b, to: .running, nodes: ["gpu07"])
        try fake.cancel(b, signal: 10)
        #expect(try fake.job(b)?.state == .running)
        #expect(fake.sentSignals == [.init(job: b, signal: 10)])
        try fake.cancel(a, signal: nil)
        #expect(try fake.job(a)?.state == .cancelled)
        try fake.cancel(a, signal: nil)  // already final: a no-op, as in Slurm
        #expect(try fake.jobs([b, 999, a]).map(\.id) == [b, a])
        #expect(throws: SlurmError.self) { try fake.cancel(999, signal: nil) }
        #expect(throws: SlurmError.self) { try fake.advance(999, to: .running) }
    }

    @Test func injectsSubmitFailuresAndValidates() throws {
        let fake = FakeSlurmClient()
        fake.failNextSubmissions(with: SlurmError(.submitFailed, "boom", slurmErrno: 2006))
        #expect(throws: SlurmError(.submitFailed, "boom", slurmErrno: 2006)) { try fake.submit(request("x")) }
        #expect(try fake.submit(request("y")) == 1)
        #expect { try fake.submit(request("z", nodes: 0)) } throws: { ($0 as? SlurmError)?.code == .invalidRequest }
        #expect(fake.submittedRequests.count == 1)
    }
}
