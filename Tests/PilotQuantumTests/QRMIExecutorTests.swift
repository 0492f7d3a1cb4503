import Foundation
@testable import PilotQuantum
import Synchronization
import Testing

/// The executor around a fake runner: what it starts, and how results, failures and a runner
/// that is not installed come out. QRMI's real runner is exercised in PilotAgentTests.
@Suite struct QRMIExecutorTests {
    final class Seen: Sendable { let value = Mutex<QRMIExecutor.Invocation?>(nil) }

    static let job = #"{"primitive": "estimator", "pubs": [{"circuit": "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\nh q[0];\ncx q[0],q[1];\n", "observables": ["ZZ", "XX"]}]}"#

    /// A directory with an executable named task_runner, for PATH lookups (the fake never runs it).
    static func fakePath() throws -> String {
        let dir = NSTemporaryDirectory() + "qrmi-exec-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: dir + "/task_runner", contents: Data("#!/bin/sh\n".utf8),
                                       attributes: [.posixPermissions: 0o755])
        return dir
    }

    static func estimatorResult() throws -> String {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return try #require(try d.decode([RuntimeResultTests.Entry].self, from: FixtureLoader.data("runtime_results.json"))
            .first { $0.name == "estimator" }).result
    }

    @Test func runsTheRunnerOnItsResourceWithTheTaskEnvironmentAndReadsItsResult() async throws {
        let bin = try Self.fakePath()
        let env = ["PATH": "/nonexistent:\(bin)", "QRMI_JOB_QPU_RESOURCES": "ibm_torino", "ibm_torino_QRMI_JOB_ACQUISITION_TOKEN": "tok"]
        let result = try Self.estimatorResult()
        let seen = Seen()
        let executor = QRMIExecutor(resource: "ibm_torino", environment: env, workDirectory: NSTemporaryDirectory()) { run in
            seen.value.withLock { $0 = run }
            // The input the runner would read is there while it runs.
            let input = try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run.arguments[1]))) as? [String: Any]
            #expect(input?["program_id"] as? String == "estimator")
            try? result.write(toFile: run.arguments[2], atomically: true, encoding: .utf8)
            return QRMIExecutor.Exit(exitCode: 0)
        }
        let outcome = try await executor.run(pubJob: Self.job, timeLimit: 30)
        let run = try #require(seen.value.withLock { $0 })
        #expect(run.executable == "\(bin)/task_runner")
        #expect(run.arguments.first == "ibm_torino" && run.arguments.count == 3)
        #expect(run.environment == env)
        #expect(run.timeLimit == 30)
        guard case .completed(let r) = outcome else { Issue.record("expected a result, got \(outcome)"); return }
        #expect(r.device == "ibm_torino" && r.pubs.first?.evs?.count == 2)
        #expect(!FileManager.default.fileExists(atPath: run.arguments[1]), "the run's files are removed")
    }

    @Test func aFailingRunnerIsAFailedOutcomeWithItsErrorOutput() async throws {
        let bin = try Self.fakePath()
        let executor = QRMIExecutor(resource: "ibm_torino", environment: ["PATH": bin], workDirectory: NSTemporaryDirectory()) { run in
            try? "Traceback...\nqrmi._core.QrmiError_: error sending request\n".write(toFile: run.stderrPath, atomically: true, encoding: .utf8)
            return QRMIExecutor.Exit(exitCode: 1)
        }
        guard case .failed(let reason, let exit) = try await executor.run(pubJob: Self.job) else { Issue.record("expected a failure"); return }
        #expect(exit.exitCode == 1)
        #expect(reason == "QRMI task_runner for ibm_torino exited with status 1: Traceback...\nqrmi._core.QrmiError_: error sending request")
    }

    @Test func aRunnerThatEndsWithoutAResultFailsWithItsLog() async throws {
        let bin = try Self.fakePath()
        let executor = QRMIExecutor(resource: "q1", environment: ["PATH": bin], workDirectory: NSTemporaryDirectory()) { run in
            try? "INFO Task ID: 42\nERROR TaskStatus.Failed\n".write(toFile: run.stdoutPath, atomically: true, encoding: .utf8)
            return QRMIExecutor.Exit(exitCode: 0)
        }
        guard case .failed(let reason, _) = try await executor.run(pubJob: Self.job) else { Issue.record("expected a failure"); return }
        #expect(reason == "QRMI task_runner for q1 ended without a result: INFO Task ID: 42\nERROR TaskStatus.Failed")
    }

    @Test func noRunnerOnPathOrABadPayloadThrowsWithoutStartingAnything() async throws {
        let executor = QRMIExecutor(resource: "q1", environment: ["PATH": "/nonexistent"], workDirectory: NSTemporaryDirectory()) { _ in
            Issue.record("nothing should start")
            return QRMIExecutor.Exit(exitCode: 0)
        }
        await #expect { try await executor.run(pubJob: Self.job) } throws: { error in
            (error as? QuantumError)?.code == .runnerFailed && "\(error)".contains("'task_runner' is not on the task's PATH")
        }
        await #expect { try await executor.run(pubJob: #"{"primitive": "sampler", "pubs": "x"}"#) } throws: { error in
            "\(error)" == "pubs: must be a list of PUBs"
        }
    }
}
