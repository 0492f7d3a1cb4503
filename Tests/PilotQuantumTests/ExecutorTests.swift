import Foundation
import Testing
@testable import PilotQuantum

@Suite struct ExecutorTests {
    static let bell = """
    OPENQASM 2.0;
    include "qelib1.inc";
    qreg q[2];
    creg c[2];
    h q[0];
    cx q[0], q[1];
    measure q -> c;
    """

    static let ideal = QPUDeviceProfile(name: "ideal-sim", qubits: 8, maxConcurrentJobs: 4)

    @Test func embeddedRunGivesCountsAndExpectations() async throws {
        let job = QuantumJob(circuit: Self.bell, shots: 4000, seed: 12, observables: ["ZZ", "XX", "YY", "IZ", "II"],
                             device: "ideal-sim")
        let result = try await QPUExecutor.run(job, on: Self.ideal, threads: 1, latencyScale: 0)
        #expect(result.qubits == 2)
        #expect(result.seed == 12)
        #expect(Set(result.counts.keys) == ["00", "11"])
        #expect(result.counts.values.reduce(0, +) == 4000)
        let exact = [1.0, 1.0, -1.0, 0.0, 1.0]
        for (e, x) in zip(result.expectations, exact) {
            if e.standardError == 0 {
                #expect(e.value == x)
            } else {
                #expect(abs(e.value - x) < 4 * max(e.standardError, 1 / 4000.0), "\(e)")
            }
        }
        // Rerunning with the same seed reproduces the result exactly.
        let again = try await QPUExecutor.run(job, on: Self.ideal, threads: 2, latencyScale: 0)
        #expect(again.counts == result.counts)
        #expect(again.expectations == result.expectations)
        let json = try result.jsonData()
        let decoded = try QuantumResult.decode(json)
        #expect(decoded == result)
    }

    @Test func zeroShotsGiveExactExpectations() async throws {
        let job = QuantumJob(circuit: Self.bell, shots: 0, seed: 1, observables: ["XX", "ZI"], device: "ideal-sim")
        let result = try await QPUExecutor.run(job, on: Self.ideal, threads: 1, latencyScale: 0)
        #expect(result.counts.isEmpty)
        #expect(result.expectations.map(\.standardError) == [0, 0])
        #expect(abs(result.expectations[0].value - 1) < 1e-12)
        #expect(abs(result.expectations[1].value) < 1e-12)
    }

    @Test func latencyModelIsWaited() async throws {
        let device = QPUDeviceProfile(name: "slow", qubits: 2,
                                      latency: .init(queueWait: 0.05, perCircuit: 0.02, perShot: 0.0001))
        let job = QuantumJob(circuit: Self.bell, shots: 200, seed: 3, device: "slow")
        let result = try await QPUExecutor.run(job, on: device, threads: 1)
        // One circuit: 0.02 + 200 × 0.0001 = 0.04 s of execution after 0.05 s in the queue.
        #expect(result.timings.queueWaitSeconds >= 0.05)
        #expect(result.timings.executionSeconds >= 0.04)
        #expect(result.timings.totalSeconds >= result.timings.queueWaitSeconds + result.timings.executionSeconds - 1e-6)
    }

    @Test func widthAndBasisAreChecked() async throws {
        let narrow = QPUDeviceProfile(name: "tiny", qubits: 1)
        await #expect(throws: QuantumError.self) {
            try await QPUExecutor.run(QuantumJob(circuit: Self.bell, shots: 10, device: "tiny"), on: narrow, threads: 1)
        }
        let strict = QPUDeviceProfile(name: "strict", qubits: 5, basisGates: ["rz", "sx", "cx"], enforceBasisGates: true)
        do {
            _ = try QPUExecutor.validate(QuantumJob(circuit: Self.bell, shots: 10, device: "strict"), on: strict)
            Issue.record("h is outside the basis")
        } catch {
            #expect(error.code == .deviceMismatch)
            #expect(error.message.contains("'h'"))
        }
        // Lenient default: the same circuit is fine when the basis is not enforced.
        let lenient = QPUDeviceProfile(name: "strict", qubits: 5, basisGates: ["rz", "sx", "cx"])
        #expect(try QPUExecutor.validate(QuantumJob(circuit: Self.bell, shots: 10, device: "strict"), on: lenient).qubitCount == 2)
    }

    @Test func noisyDeviceReportsTrajectories() async throws {
        let device = QPUDeviceProfile(name: "noisy", qubits: 4,
                                      noise: NoiseModel(depolarizing1q: 0.01, depolarizing2q: 0.05, readout: 0.02,
                                                        trajectories: 10))
        let job = QuantumJob(circuit: Self.bell, shots: 1000, seed: 4, observables: ["ZZ"], device: "noisy")
        let result = try await QPUExecutor.run(job, on: device, threads: 1, latencyScale: 0)
        #expect(result.trajectories == 10)
        #expect(result.counts.values.reduce(0, +) == 1000)
        #expect(result.expectations[0].value < 1)
    }

    // MARK: - Command executor

    private func script(_ body: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("qpu-test-\(UUID().uuidString).sh")
        try ("#!/bin/sh\n" + body).write(to: url, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        return url.path
    }

    @Test func commandExecutorParsesCounts() async throws {
        // Echoes the substituted arguments back so the test sees that substitution happened.
        let path = try script("""
        test -f "$1" || exit 3
        grep -q 'cx q\\[0\\], q\\[1\\]' "$1" || exit 4
        printf '{"counts": {"00": %d, "11": %d, "01": 1, "10": 0}}\\n' "$2" "$3"
        """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let device = QPUDeviceProfile(name: "ext", qubits: 4,
                                      executor: .command(argv: [path, "{circuit}", "{shots}", "{seed}"], timeoutSeconds: 20))
        let result = try await QPUExecutor.run(QuantumJob(circuit: Self.bell, shots: 100, seed: 7, device: "ext"),
                                               on: device, threads: 1, latencyScale: 0)
        #expect(result.counts == ["00": 100, "11": 7, "01": 1, "10": 0])
        #expect(result.device == "ext")
        #expect(result.qubits == 2)
    }

    @Test func commandExecutorParsesExpectations() async throws {
        let path = try script("""
        echo '{"expectations": [0.5, {"observable": "XX", "value": -0.25, "standardError": 0.01}]}'
        """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let device = QPUDeviceProfile(name: "ext", qubits: 4, executor: .command(argv: ["/bin/sh", path], timeoutSeconds: nil))
        let job = QuantumJob(circuit: Self.bell, shots: 100, seed: 7, observables: ["ZZ", "XX"], device: "ext")
        let result = try await QPUExecutor.run(job, on: device, threads: 1, latencyScale: 0)
        #expect(result.expectations.map(\.value) == [0.5, -0.25])
        #expect(result.expectations[1].standardError == 0.01)
        #expect(abs(result.expectations[0].standardError - (0.75 / 100).squareRoot()) < 1e-12)
    }

    @Test(arguments: [
        ("echo 'this is not json'", "did not print JSON"),
        ("echo '{\"counts\": {\"0a\": 3}}'", "is not a bitstring"),
        ("echo '{\"result\": 1}'", "expected a \"counts\" or \"expectations\" key"),
        ("echo '{\"counts\": {\"01\": true}}'", "'counts.01': expected an integer"),
        ("echo 'boom' >&2; exit 2", "exited with status 2: boom"),
    ])
    func brokenCommandGivesClearError(_ body: String, _ expected: String) async throws {
        let path = try script(body + "\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let device = QPUDeviceProfile(name: "ext", qubits: 4, executor: .command(argv: ["/bin/sh", path], timeoutSeconds: 20))
        do {
            _ = try await QPUExecutor.run(QuantumJob(circuit: Self.bell, shots: 10, device: "ext"), on: device,
                                          threads: 1, latencyScale: 0)
            Issue.record("expected failure: \(expected)")
        } catch {
            #expect(error.message.contains(expected), "\(error)")
            #expect(error.code == .commandOutput || error.code == .commandFailed)
        }
    }

    @Test func missingProgramIsReported() async {
        let device = QPUDeviceProfile(name: "ext", qubits: 4,
                                      executor: .command(argv: ["no-such-program-xyz"], timeoutSeconds: nil))
        do {
            _ = try await QPUExecutor.run(QuantumJob(circuit: Self.bell, shots: 10, device: "ext"), on: device,
                                          threads: 1, latencyScale: 0)
            Issue.record("expected failure")
        } catch {
            #expect(error.message.contains("'no-such-program-xyz' not found"))
        }
    }

    @Test func jobJSONIsStable() throws {
        let job = QuantumJob(circuit: "OPENQASM 2.0;", shots: 10, seed: 5, observables: ["ZZ"], device: "ideal-sim")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(job), as: UTF8.self)
        #expect(text == #"{"circuit":"OPENQASM 2.0;","device":"ideal-sim","observables":["ZZ"],"seed":5,"shots":10}"#)
        let minimal = #"{"circuit":"x","shots":1,"device":"d"}"#
        let decoded = try JSONDecoder().decode(QuantumJob.self, from: Data(minimal.utf8))
        #expect(decoded.observables.isEmpty && decoded.seed == nil)
    }
}

extension ExecutorTests {
    @Test func ghzOnShippedNoisyProfileShowsErrors() async throws {
        let profile = try QPUDeviceProfile.load(path: ProfileTests.profileDirectory + "/superconducting-27.yaml")
        let ghz = """
        OPENQASM 2.0;
        include "qelib1.inc";
        qreg q[5];
        creg c[5];
        h q[0];
        cx q[0], q[1];
        cx q[1], q[2];
        cx q[2], q[3];
        cx q[3], q[4];
        measure q -> c;
        """
        let job = QuantumJob(circuit: ghz, shots: 4000, seed: 2, device: profile.name)
        let result = try await QPUExecutor.run(job, on: profile, threads: 1, latencyScale: 0)
        let ideal = (result.counts["00000"] ?? 0) + (result.counts["11111"] ?? 0)
        // Four CX at p2 = 1% and five readouts at 2% lose roughly 10–15% of the shots.
        #expect(ideal < 4000)
        #expect(Double(ideal) / 4000 > 0.75)
        #expect(result.trajectories == profile.noise.trajectories)
    }
}
