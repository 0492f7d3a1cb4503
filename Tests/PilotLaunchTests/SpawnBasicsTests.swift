import CPilotSpawn
import Foundation
import Testing
@testable import PilotLaunch

@Suite struct SpawnBasicsTests {
    @Test func trueExitsZero() throws {
        let collector = ExitCollector()
        let launcher = ProcessLauncher(onExit: collector.handler())
        defer { launcher.shutdown() }
        let pid = try launcher.spawn(SpawnSpec(executable: "/bin/true"), token: 1)
        let exit = try collector.wait(for: 1)
        #expect(exit.pid == pid)
        #expect(exit.exitCode == 0)
        #expect(exit.signal == nil)
        #expect(!exit.timedOut)
        #expect(exit.endedAt >= exit.startedAt)
        #expect(abs(exit.startedAt - Date().timeIntervalSince1970) < 60)
        #expect(launcher.running == 0)
    }

    @Test(arguments: [0, 1, 3, 42, 255])
    func exitCodesArePassedThrough(code: Int32) throws {
        let collector = ExitCollector()
        let launcher = ProcessLauncher(onExit: collector.handler())
        defer { launcher.shutdown() }
        _ = try launcher.spawn(SpawnSpec(executable: "/bin/sh", arguments: ["-c", "exit \(code)"]), token: 7)
        let exit = try collector.wait(for: 7)
        #expect(exit.exitCode == code)
        #expect(exit.signal == nil)
    }

    @Test func selfKillReportsTheSignal() throws {
        let collector = ExitCollector()
        let launcher = ProcessLauncher(onExit: collector.handler())
        defer { launcher.shutdown() }
        _ = try launcher.spawn(SpawnSpec(executable: "/bin/sh", arguments: ["-c", "kill -KILL $$"]), token: 9)
        let exit = try collector.wait(for: 9)
        #expect(exit.signal == SIGKILL)
        #expect(exit.exitCode == nil)
        #expect(!exit.timedOut)
    }

    @Test func cpuTimeIsMeasured() throws {
        let collector = ExitCollector()
        let launcher = ProcessLauncher(onExit: collector.handler())
        defer { launcher.shutdown() }
        // A busy loop long enough to register in rusage's clock-tick resolution.
        _ = try launcher.spawn(SpawnSpec(executable: "/bin/sh",
                                         arguments: ["-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"]),
                               token: 3)
        let exit = try collector.wait(for: 3)
        #expect(exit.exitCode == 0)
        #expect(exit.userCPUSeconds + exit.systemCPUSeconds > 0)
        #expect(exit.userCPUSeconds + exit.systemCPUSeconds <= exit.endedAt - exit.startedAt + 0.05)
    }

    @Test func missingExecutableNamesExec() {
        let launcher = ProcessLauncher(onExit: { _ in })
        defer { launcher.shutdown() }
        do {
            _ = try launcher.spawn(SpawnSpec(executable: "/nonexistent/bin/tool"), token: 1)
            Issue.record("spawn of a missing executable succeeded")
        } catch {
            #expect(error.code == .exec)
            #expect(error.errno == ENOENT)
            #expect(error.description.contains("/nonexistent/bin/tool"))
        }
        #expect(launcher.running == 0)
    }

    @Test func nonExecutableFileIsEACCES() throws {
        let path = temporaryPath("not-executable")
        try "echo hi\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { unlink(path) }
        let launcher = ProcessLauncher(onExit: { _ in })
        defer { launcher.shutdown() }
        #expect(throws: LaunchError(.exec, "cannot start \(path) (exec failed)", errno: EACCES)) {
            try launcher.spawn(SpawnSpec(executable: path), token: 1)
        }
    }

    @Test func badWorkingDirectoryNamesChdir() {
        let launcher = ProcessLauncher(onExit: { _ in })
        defer { launcher.shutdown() }
        do {
            _ = try launcher.spawn(SpawnSpec(executable: "/bin/true", workingDirectory: "/nonexistent/dir"), token: 1)
            Issue.record("spawn with a missing cwd succeeded")
        } catch {
            #expect(error.code == .chdir)
            #expect(error.errno == ENOENT)
        }
    }

    @Test(arguments: [true, false])
    func failedSpawnLeavesNoChildBehind(viaHelper: Bool) throws {
        let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { close(devNull) }
        let prepared = try PreparedSpawn(SpawnSpec(executable: "/bin/true", workingDirectory: "/nonexistent"),
                                         devNull: devNull)
        var result = pilot_spawn_result()
        let rc = prepared.withArgs { args in
            viaHelper ? pilot_spawn_via_helper(&args, &result) : pilot_spawn(&args, &result)
        }
        #expect(rc == ENOENT)
        #expect(result.step == PILOT_SPAWN_STEP_CHDIR)
        #expect(result.pidfd == -1)
        // The child existed and was reaped before pilot_spawn returned: not even a zombie is left.
        #expect(result.pid > 0)
        #expect(kill(result.pid, 0) == -1 && errno == ESRCH)
    }

    @Test func pathLookupUsesTheSpecsEnvironment() throws {
        let collector = ExitCollector()
        let launcher = ProcessLauncher(onExit: collector.handler())
        defer { launcher.shutdown() }
        let out = temporaryPath("which")
        defer { unlink(out) }
        _ = try launcher.spawn(SpawnSpec(executable: "sh", arguments: ["-c", "echo $0"],
                                         environment: ["PATH": "/nonexistent:/bin"], stdoutPath: out), token: 1)
        #expect(try collector.wait(for: 1).exitCode == 0)
        #expect(try readFile(out) == "sh\n")  // argv[0] is the name as given

        #expect(throws: LaunchError(.exec, "sh not found as an executable in PATH", errno: ENOENT)) {
            try launcher.spawn(SpawnSpec(executable: "sh", environment: ["PATH": "/nonexistent"]), token: 2)
        }
    }

    @Test func outputGoesToFilesAndSharedFDKeepsOrder() throws {
        let collector = ExitCollector()
        let launcher = ProcessLauncher(onExit: collector.handler())
        defer { launcher.shutdown() }
        let out = temporaryPath("out"), err = temporaryPath("err"), both = temporaryPath("both")
        defer { for path in [out, err, both] { unlink(path) } }
        try "stale content that must be truncated away\n".write(toFile: out, atomically: true, encoding: .utf8)

        let script = "echo one; echo two >&2; echo three"
        _ = try launcher.spawn(SpawnSpec(executable: "/bin/sh", arguments: ["-c", script],
                                         stdoutPath: out, stderrPath: err), token: 1)
        _ = try launcher.spawn(SpawnSpec(executable: "/bin/sh", arguments: ["-c", script],
                                         stdoutPath: both, stderrPath: both), token: 2)
        _ = try collector.wait(for: [1, 2])
        #expect(try readFile(out) == "one\nthree\n")
        #expect(try readFile(err) == "two\n")
        #expect(try readFile(both) == "one\ntwo\nthree\n")
        var info = stat()
        #expect(stat(out, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o644 & ~currentUmask())
    }

    @Test func unsetOutputIsDevNull() throws {
        let collector = ExitCollector()
        let launcher = ProcessLauncher(onExit: collector.handler())
        defer { launcher.shutdown() }
        let out = temporaryPath("fds")
        defer { unlink(out) }
        // The child reports where its stdin/stderr point by writing to a file given as argument.
        _ = try launcher.spawn(SpawnSpec(executable: "/bin/sh",
                                         arguments: ["-c", "readlink /proc/self/fd/0 /proc/self/fd/2 > \"$1\"", "sh", out]),
                               token: 1)
        #expect(try collector.wait(for: 1).exitCode == 0)
        #expect(try readFile(out) == "/dev/null\n/dev/null\n")
    }

    @Test func environmentIsPassedExactly() throws {
        let collector = ExitCollector()
        let launcher = ProcessLauncher(onExit: collector.handler())
        defer { launcher.shutdown() }
        let out = temporaryPath("env")
        defer { unlink(out) }
        let environment = ["PILOT_A": "1", "PILOT_EMPTY": "", "PILOT_SPACES": "a b  c", "PILOT_EQ": "x=y"]
        _ = try launcher.spawn(SpawnSpec(executable: "/usr/bin/env", environment: environment, stdoutPath: out), token: 1)
        #expect(try collector.wait(for: 1).exitCode == 0)
        let lines = try readFile(out).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.sorted() == environment.map { "\($0.key)=\($0.value)" }.sorted())
    }

    @Test func sharedEnvironmentIsOverriddenByTheTasksOwn() throws {
        let collector = ExitCollector()
        let launcher = ProcessLauncher(callersOutliveChildren: true, onExit: collector.handler())
        defer { launcher.shutdown() }
        let out = temporaryPath("env")
        defer { unlink(out) }
        let base = try EnvironmentBlock(["PATH": "/usr/bin:/bin", "PILOT_SHARED": "base", "PILOT_OVERRIDDEN": "base"])
        // A bare name is looked up in the shared PATH.
        _ = try launcher.spawn(SpawnSpec(executable: "env", environment: ["PILOT_OVERRIDDEN": "task", "PILOT_OWN": "1"],
                                         stdoutPath: out, baseEnvironment: base), token: 1)
        #expect(try collector.wait(for: 1).exitCode == 0)
        let lines = try readFile(out).split(separator: "\n").map(String.init)
        #expect(lines.sorted() == ["PATH=/usr/bin:/bin", "PILOT_OVERRIDDEN=task", "PILOT_OWN=1", "PILOT_SHARED=base"])
        #expect(throws: LaunchError.self) { try EnvironmentBlock(["A=B": "c"]) }
        #expect(throws: LaunchError.self) { try EnvironmentBlock(["A": "b\u{0}c"]) }
    }

    @Test func invalidSpecsAreRejectedBeforeSpawning() {
        let launcher = ProcessLauncher(onExit: { _ in })
        defer { launcher.shutdown() }
        let bad: [SpawnSpec] = [
            SpawnSpec(executable: ""),
            SpawnSpec(executable: "/bin/true", arguments: ["a\u{0}b"]),
            SpawnSpec(executable: "/bin/true", environment: ["A=B": "c"]),
            SpawnSpec(executable: "/bin/true", parentDeathSignal: 0),
        ]
        for spec in bad {
            #expect(throws: LaunchError.self) { try launcher.spawn(spec, token: 1) }
        }
        #expect(throws: LaunchError(.affinity, "CPU -1 is out of range", errno: EINVAL)) {
            try launcher.spawn(SpawnSpec(executable: "/bin/true", cpus: [-1]), token: 1)
        }
        #expect(launcher.running == 0)
    }

    @Test func unopenableOutputNamesTheStream() {
        let launcher = ProcessLauncher(onExit: { _ in })
        defer { launcher.shutdown() }
        do {
            _ = try launcher.spawn(SpawnSpec(executable: "/bin/true", stderrPath: "/nonexistent/err"), token: 1)
            Issue.record("spawn with an unopenable stderr succeeded")
        } catch {
            #expect(error.code == .openStderr)
            #expect(error.errno == ENOENT)
        }
    }
}

func currentUmask() -> mode_t {
    let mask = umask(0o022)
    umask(mask)
    return mask
}
