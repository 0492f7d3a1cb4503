import Foundation
import Testing
@testable import PilotLaunch

@Suite struct DescriptorHygieneTests {
    @Test func onlyStandardDescriptorsReachTheTask() throws {
        // A descriptor the agent forgot to mark close-on-exec, like a server socket might be.
        var pipeFDs: [Int32] = [0, 0]
        #expect(pipe(&pipeFDs) == 0)
        defer { close(pipeFDs[0]); close(pipeFDs[1]) }
        let collector = ExitCollector()
        let launcher = ProcessLauncher(onExit: collector.handler())
        defer { launcher.shutdown() }
        let out = temporaryPath("fds")
        defer { unlink(out) }
        _ = try launcher.spawn(SpawnSpec(executable: "/bin/sh", arguments: ["-c", "ls /proc/$$/fd"], stdoutPath: out),
                               token: 1)
        #expect(try collector.wait(for: 1).exitCode == 0)
        #expect(try readFile(out).split(separator: "\n") == ["0", "1", "2"])
    }

    @Test func ignoredAndBlockedSignalsAreResetForTheTask() throws {
        let previous = signal(SIGPIPE, SIG_IGN)
        defer { signal(SIGPIPE, previous) }
        let collector = ExitCollector()
        let launcher = ProcessLauncher(onExit: collector.handler())
        defer { launcher.shutdown() }
        let out = temporaryPath("sig")
        defer { unlink(out) }
        _ = try launcher.spawn(SpawnSpec(executable: "/bin/grep", arguments: ["-E", "^Sig(Blk|Ign)", "/proc/self/status"],
                                         stdoutPath: out), token: 1)
        #expect(try collector.wait(for: 1).exitCode == 0)
        let report = try readFile(out)
        #expect(report == "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n", "\(report)")
    }
}
