import CPilotSpawn
import Foundation
import Testing
@testable import PilotLaunch

@Suite struct ProcessControlTests {
    @Test func affinityIsAppliedInTheChild() throws {
        let allowed = try parseCPUList(try threadStatus("Cpus_allowed_list"))
        let collector = ExitCollector()
        let launcher = ProcessLauncher(onExit: collector.handler())
        defer { launcher.shutdown() }
        let requests = allowed.map { [$0] } + [allowed]
        for (index, cpus) in requests.enumerated() {
            let out = temporaryPath("affinity-\(index)")
            defer { unlink(out) }
            let token = UInt64(index)
            _ = try launcher.spawn(SpawnSpec(executable: "/bin/grep", arguments: ["Cpus_allowed_list", "/proc/self/status"],
                                             stdoutPath: out, cpus: cpus), token: token)
            #expect(try collector.wait(for: token).exitCode == 0)
            let reported = try readFile(out).split(separator: ":").last.map { String($0) } ?? ""
            #expect(try parseCPUList(reported) == cpus)
        }
    }

    @Test func unusableCPUSetIsAnAffinityError() {
        let launcher = ProcessLauncher(onExit: { _ in })
        defer { launcher.shutdown() }
        do {
            // Far beyond any CPU this machine has: the kernel finds no usable CPU in the mask.
            _ = try launcher.spawn(SpawnSpec(executable: "/bin/true", cpus: [4000]), token: 1)
            Issue.record("spawn bound to CPU 4000 succeeded")
        } catch {
            #expect(error.code == .affinity)
            #expect(error.errno == EINVAL)
        }
    }

    @Test(arguments: [true, false])
    func newSessionMakesTheTaskAGroupLeader(newSession: Bool) throws {
        let collector = ExitCollector()
        let launcher = ProcessLauncher(onExit: collector.handler())
        defer { launcher.shutdown() }
        let out = temporaryPath("stat")
        defer { unlink(out) }
        // The shell's own /proc/<pid>/stat: pid (comm) state ppid pgrp session ...
        let pid = try launcher.spawn(SpawnSpec(executable: "/bin/sh", arguments: ["-c", "read -r line < /proc/$$/stat; echo $line"],
                                               stdoutPath: out, newSession: newSession), token: 1)
        #expect(try collector.wait(for: 1).exitCode == 0)
        let fields = try readFile(out).split(separator: " ")
        try #require(fields.count > 6)
        #expect(Int32(fields[0]) == pid)
        if newSession {
            #expect(Int32(fields[4]) == pid)  // process group
            #expect(Int32(fields[5]) == pid)  // session
        } else {
            #expect(Int32(fields[4]) == getpgrp())
            #expect(Int32(fields[5]) == getsid(0))
        }
    }

    @Test func timeLimitSendsTermToTheGroup() throws {
        let collector = ExitCollector()
        let launcher = ProcessLauncher(onExit: collector.handler())
        defer { launcher.shutdown() }
        _ = try launcher.spawn(SpawnSpec(executable: "/bin/sleep", arguments: ["30"],
                                         timeLimit: .milliseconds(200)), token: 1)
        let exit = try collector.wait(for: 1)
        #expect(exit.timedOut)
        #expect(exit.signal == SIGTERM)
        let elapsed = exit.endedAt - exit.startedAt
        #expect(elapsed >= 0.19 && elapsed < 10, "elapsed \(elapsed)")
    }

    @Test func killFollowsTermAfterTheGrace() throws {
        let collector = ExitCollector()
        let launcher = ProcessLauncher(onExit: collector.handler())
        defer { launcher.shutdown() }
        // The shell ignores TERM (sleep inherits that); the limit leaves it ample time to set the trap.
        _ = try launcher.spawn(SpawnSpec(executable: "/bin/sh", arguments: ["-c", "trap '' TERM; sleep 30"],
                                         timeLimit: .milliseconds(500), killGrace: .milliseconds(200)), token: 1)
        let exit = try collector.wait(for: 1)
        #expect(exit.timedOut)
        #expect(exit.signal == SIGKILL)
        #expect(exit.endedAt - exit.startedAt >= 0.69)
    }

    @Test func timersOfManyTasksFireInDeadlineOrder() throws {
        let collector = ExitCollector()
        let launcher = ProcessLauncher(onExit: collector.handler())
        defer { launcher.shutdown() }
        // Spawned longest-limit first, so the heap (not spawn order) decides who goes first.
        let limits: [UInt64: Int] = [1: 900, 2: 500, 3: 100, 4: 300]
        for token in limits.keys.sorted() {
            _ = try launcher.spawn(SpawnSpec(executable: "/bin/sleep", arguments: ["30"],
                                             timeLimit: .milliseconds(limits[token]!)), token: token)
        }
        // A task without a limit is left alone until we end it.
        _ = try launcher.spawn(SpawnSpec(executable: "/bin/sleep", arguments: ["30"]), token: 5)
        let exits = try collector.wait(for: [1, 2, 3, 4])
        #expect(exits.values.allSatisfy { $0.timedOut && $0.signal == SIGTERM })
        #expect(exits.sorted { $0.value.endedAt < $1.value.endedAt }.map(\.key) == [3, 4, 2, 1])
        #expect(launcher.running == 1)
        launcher.signal(token: 5, SIGKILL)
        let last = try collector.wait(for: 5)
        #expect(!last.timedOut && last.signal == SIGKILL)
    }

    @Test func signalReachesTheWholeProcessGroup() throws {
        let collector = ExitCollector()
        let launcher = ProcessLauncher(onExit: collector.handler())
        defer { launcher.shutdown() }
        let fifo = temporaryPath("fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        defer { unlink(fifo) }
        // Open the read end first (non-blocking) so the launcher's open for writing does not block.
        let reader = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        try #require(reader >= 0)
        defer { close(reader) }
        _ = try launcher.spawn(SpawnSpec(executable: "/bin/sh", arguments: ["-c", "sleep 30 & echo $!; wait"],
                                         stdoutPath: fifo), token: 1)
        let grandchild = try #require(Int32(try readLine(reader)))
        let grandchildFD = pilot_spawn_pidfd_open(grandchild)
        try #require(grandchildFD >= 0)
        defer { close(grandchildFD) }

        launcher.signal(token: 1, SIGTERM)
        let exit = try collector.wait(for: 1)
        #expect(exit.signal == SIGTERM)
        // The grandchild got the signal too: its pidfd reports its exit.
        #expect(pilot_spawn_pidfd_wait_exit(grandchildFD, 30_000) == 1)
    }

    @Test func signalAllAndUnknownTokens() throws {
        let collector = ExitCollector()
        let launcher = ProcessLauncher(onExit: collector.handler())
        defer { launcher.shutdown() }
        for token in 1...3 as ClosedRange<UInt64> {
            _ = try launcher.spawn(SpawnSpec(executable: "/bin/sleep", arguments: ["30"]), token: token)
        }
        #expect(launcher.running == 3)
        launcher.signal(token: 99, SIGKILL)  // unknown: ignored
        #expect(launcher.running == 3)
        launcher.signalAll(SIGINT)
        let exits = try collector.wait(for: [1, 2, 3])
        #expect(exits.values.allSatisfy { $0.signal == SIGINT })
        #expect(launcher.running == 0)
    }

    @Test func duplicateRunningTokenIsRejected() throws {
        let collector = ExitCollector()
        let launcher = ProcessLauncher(onExit: collector.handler())
        defer { launcher.shutdown() }
        _ = try launcher.spawn(SpawnSpec(executable: "/bin/sleep", arguments: ["30"]), token: 5)
        #expect(throws: LaunchError(.duplicateToken, "token 5 is already running", errno: EEXIST)) {
            try launcher.spawn(SpawnSpec(executable: "/bin/true"), token: 5)
        }
        launcher.signal(token: 5, SIGKILL)
        #expect(try collector.wait(for: 5).signal == SIGKILL)
        // Once reported, the token is free again.
        _ = try launcher.spawn(SpawnSpec(executable: "/bin/true"), token: 5)
        try collector.waitForCount(of: 5, 2)
    }

    @Test func shutdownLeavesChildrenRunning() throws {
        let launcher = ProcessLauncher(onExit: { _ in })
        let pid = try launcher.spawn(SpawnSpec(executable: "/bin/sleep", arguments: ["30"]), token: 1)
        launcher.shutdown()
        launcher.shutdown()
        #expect(kill(pid, 0) == 0)
        #expect(throws: LaunchError.self) { try launcher.spawn(SpawnSpec(executable: "/bin/true"), token: 2) }
        // Nobody reaps it now but us. It was started without an exit signal, so it takes __WALL.
        kill(pid, SIGKILL)
        var info = pilot_spawn_exit()
        #expect(pilot_spawn_reap(pid, 1, &info) == 1)
        #expect(info.signaled == 1 && info.signal == SIGKILL)
    }

    @Test func shutdownFromInsideOnExit() throws {
        final class Holder: @unchecked Sendable { var launcher: ProcessLauncher? }
        let holder = Holder()
        let collector = ExitCollector()
        let record = collector.handler()
        let launcher = ProcessLauncher(onExit: { batch in
            holder.launcher?.shutdown()
            record(batch)
        })
        holder.launcher = launcher
        _ = try launcher.spawn(SpawnSpec(executable: "/bin/true"), token: 1)
        #expect(try collector.wait(for: 1).exitCode == 0)
        #expect(throws: LaunchError.self) { try launcher.spawn(SpawnSpec(executable: "/bin/true"), token: 2) }
        holder.launcher = nil
    }
}

func threadStatus(_ field: String) throws -> String {
    let text = try String(contentsOfFile: "/proc/thread-self/status", encoding: .utf8)
    guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }) else {
        throw TestFailure("no \(field)")
    }
    return line.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces)
}

/// Just enough of the kernel list format for these tests ("0-1,3").
func parseCPUList(_ text: String) throws -> [Int] {
    try text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",").flatMap { part -> [Int] in
        let bounds = part.split(separator: "-").map { Int($0) }
        guard let low = bounds.first ?? nil, let high = bounds.last ?? nil else { throw TestFailure("bad list \(text)") }
        return Array(low...high)
    }
}

/// Reads one line from a descriptor, blocking until it arrives.
func readLine(_ fd: Int32) throws -> String {
    let flags = fcntl(fd, F_GETFL)
    _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
    var bytes: [UInt8] = []
    var byte: UInt8 = 0
    while read(fd, &byte, 1) == 1 {
        if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
        bytes.append(byte)
    }
    throw TestFailure("no line before EOF")
}
