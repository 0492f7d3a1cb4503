import CSlurm
import Foundation
import Testing
@testable import PilotSlurm

/// libslurm calls that need no running cluster (the hostlist code works without slurm_init).
@Suite struct LibSlurmUnitTests {
    @Test func expandsHostlistsThroughLibslurm() throws {
        #expect(try LibSlurmClient.expandHostlist("n[1-3,5]") == ["n1", "n2", "n3", "n5"])
        #expect(try LibSlurmClient.expandHostlist("gpu[08-10],login1") == ["gpu08", "gpu09", "gpu10", "login1"])
        #expect(try LibSlurmClient.expandHostlist("") == [])
    }

    @Test(arguments: ["n[1-", "n[3-1]", "n[a-b]", "n[1-2]]"])
    func rejectsInvalidHostlists(_ text: String) {
        #expect { try LibSlurmClient.expandHostlist(text) } throws: { ($0 as? SlurmError)?.code == .invalidHostlist }
    }

    @Test func missingConfigIsAnErrorNotAnExit() {
        #expect {
            try LibSlurmClient(configPath: "/nonexistent/slurm.conf")
        } throws: { error in
            let e = error as? SlurmError
            return e?.code == .configurationMissing && e?.message.contains("/nonexistent/slurm.conf") == true
        }
    }

    @Test func decodesStateFlagsAndExitCodes() {
        #expect(LibSlurmClient.state(from: JOB_RUNNING.rawValue) == .running)
        #expect(LibSlurmClient.state(from: JOB_RUNNING.rawValue | CSLURM_JOB_COMPLETING) == .completing)
        #expect(LibSlurmClient.state(from: JOB_OOM.rawValue) == .outOfMemory)
        #expect(LibSlurmClient.state(from: 0xfe) == .unknown)
        #expect(SlurmExitCode(waitStatus: 3 << 8) == SlurmExitCode(status: 3))
        #expect(SlurmExitCode(waitStatus: 9) == SlurmExitCode(status: 0, signal: 9))
        #expect(SlurmJobState(slurmName: "CG") == .completing)
        #expect(SlurmJobState(slurmName: "CANCELLED by 0") == .cancelled)
        #expect(LibSlurmClient.libraryVersion.split(separator: ".").compactMap { Int($0) }.count == 3)
    }

    @Test func validatesRequestsBeforeTheRPC() {
        let bad = BatchJobRequest(script: "echo no shebang", name: "x", workingDirectory: "/tmp", environment: [:])
        #expect { try bad.validate() } throws: { ($0 as? SlurmError)?.message.contains("#!") == true }
    }
}
