import CPilotSpawn
import Foundation
import Testing
@testable import PilotLaunch

/// Collects whole `LaunchEvents` batches, so tests can check what arrived together.
final class EventCollector: @unchecked Sendable {  // all state behind `condition`'s lock
    private let condition = NSCondition()
    private var batches: [LaunchEvents] = []

    func handler() -> @Sendable (LaunchEvents) -> Void {
        { [self] events in
            condition.lock()
            batches.append(events)
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Waits for the first batch that satisfies `match` and returns it.
    func waitForBatch(timeout: Double = 60, _ what: String, where match: (LaunchEvents) -> Bool) throws -> LaunchEvents {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let b = batches.first(where: match) { return b }
            guard condition.wait(until: deadline) else { throw TestFailure("timed out waiting for \(what)") }
        }
    }

    func waitForExit(of token: UInt64) throws -> ProcessExit {
        try waitForBatch("the exit of \(token)") { $0.exits.contains { $0.token == token } }
            .exits.first { $0.token == token }!.exit
    }

    var all: [LaunchEvents] {
        condition.lock()
        defer { condition.unlock() }
        return batches
    }
}

@Suite struct SuccessorTests {
    @Test func successorStartsInTheBatchOfItsPredecessorsExit() throws {
        let events = EventCollector()
        let launcher = ProcessLauncher(onEvents: events.handler())
        defer { launcher.shutdown() }
        _ = try launcher.spawn(SpawnSpec(executable: "/bin/sleep", arguments: ["30"]), token: 1)
        #expect(try launcher.spawn(SpawnSpec(executable: "/bin/sh", arguments: ["-c", "exit 7"]), token: 2, after: 1))
        // Queued, not started: only the predecessor runs.
        #expect(launcher.running == 1)

        launcher.signal(token: 1, SIGKILL)
        let batch = try events.waitForBatch("the predecessor's exit") { $0.exits.contains { $0.token == 1 } }
        #expect(batch.exits.first { $0.token == 1 }?.exit.signal == SIGKILL)
        let start = try #require(batch.starts.first { $0.token == 2 })
        let started = try start.result.get()
        #expect(started.pid > 0)

        let exit = try events.waitForExit(of: 2)
        #expect(exit.pid == started.pid)
        #expect(exit.exitCode == 7)
        #expect(exit.startedAt == started.startedAt)
    }

    @Test func queuingBehindNothingOrTwiceIsRefused() throws {
        let events = EventCollector()
        let launcher = ProcessLauncher(onEvents: events.handler())
        defer { launcher.shutdown() }
        // No such predecessor.
        #expect(try !launcher.spawn(SpawnSpec(executable: "/bin/true"), token: 2, after: 99))
        _ = try launcher.spawn(SpawnSpec(executable: "/bin/sleep", arguments: ["30"]), token: 1)
        #expect(try launcher.spawn(SpawnSpec(executable: "/bin/true"), token: 2, after: 1))
        // One successor per task.
        #expect(try !launcher.spawn(SpawnSpec(executable: "/bin/true"), token: 3, after: 1))
        // A queued token is in use.
        #expect(throws: LaunchError.self) { try launcher.spawn(SpawnSpec(executable: "/bin/true"), token: 2) }
        launcher.signal(token: 1, SIGKILL)
        _ = try events.waitForExit(of: 2)
        #expect(events.all.flatMap(\.starts).map(\.token) == [2])
    }

    @Test func aCanceledSuccessorNeverStarts() throws {
        let events = EventCollector()
        let launcher = ProcessLauncher(onEvents: events.handler())
        defer { launcher.shutdown() }
        _ = try launcher.spawn(SpawnSpec(executable: "/bin/sleep", arguments: ["30"]), token: 1)
        #expect(try launcher.spawn(SpawnSpec(executable: "/bin/true"), token: 2, after: 1))
        #expect(launcher.cancelSuccessor(token: 2))
        #expect(!launcher.cancelSuccessor(token: 2))
        // The place is free again.
        #expect(try launcher.spawn(SpawnSpec(executable: "/bin/true"), token: 3, after: 1))
        launcher.signal(token: 1, SIGKILL)
        _ = try events.waitForExit(of: 3)
        let starts = events.all.flatMap(\.starts).map(\.token)
        #expect(starts == [3])
        // Started: too late to take back.
        #expect(!launcher.cancelSuccessor(token: 3))
    }

    @Test func preparationErrorsAreThrownAndStepErrorsReported() throws {
        let events = EventCollector()
        let launcher = ProcessLauncher(onEvents: events.handler())
        defer { launcher.shutdown() }
        _ = try launcher.spawn(SpawnSpec(executable: "/bin/sleep", arguments: ["30"]), token: 1)
        #expect(throws: LaunchError.self) {
            try launcher.spawn(SpawnSpec(executable: "no-such-program-\(getpid())"), token: 2, after: 1)
        }
        // A working directory is only tried in the child: its failure is the successor's start.
        #expect(try launcher.spawn(SpawnSpec(executable: "/bin/true", workingDirectory: "/no/such/dir/\(getpid())"),
                                   token: 3, after: 1))
        launcher.signal(token: 1, SIGKILL)
        let batch = try events.waitForBatch("the successor's start") { $0.starts.contains { $0.token == 3 } }
        let start = try #require(batch.starts.first { $0.token == 3 })
        guard case .failure(let error) = start.result else {
            Issue.record("expected a failed start, got \(start.result)")
            return
        }
        #expect(error.code == .chdir)
        #expect(error.errno == ENOENT)
        #expect(launcher.running == 0)
    }

    /// Pinned, the tasks are reaped by the thread bound to their CPU while the time limit is the
    /// general reaper's: both must still meet.
    @Test(arguments: [false, true])
    func aStartedSuccessorIsSignalledAndTimeLimited(pinned: Bool) throws {
        let cpus = pinned ? [try lastAllowedCPU()] : []
        let events = EventCollector()
        let launcher = ProcessLauncher(onEvents: events.handler())
        defer { launcher.shutdown() }
        _ = try launcher.spawn(SpawnSpec(executable: "/bin/sleep", arguments: ["30"], cpus: cpus), token: 1)
        #expect(try launcher.spawn(SpawnSpec(executable: "/bin/sleep", arguments: ["30"], cpus: cpus), token: 2, after: 1))
        // A queued successor takes one of its own, and only one.
        let third = SpawnSpec(executable: "/bin/sleep", arguments: ["30"], cpus: cpus, timeLimit: .milliseconds(100),
                              killGrace: .milliseconds(100))
        #expect(try launcher.spawn(third, token: 3, after: 2))
        #expect(try !launcher.spawn(SpawnSpec(executable: "/bin/true", cpus: cpus), token: 4, after: 2))
        launcher.signal(token: 1, SIGKILL)
        _ = try events.waitForBatch("the start of 2") { $0.starts.contains { $0.token == 2 } }
        #expect(launcher.running == 1)
        launcher.signal(token: 2, SIGTERM)
        #expect(try events.waitForExit(of: 2).signal == SIGTERM)
        // The third one started from the second's exit and ran into its time limit.
        let exit = try events.waitForExit(of: 3)
        #expect(exit.timedOut)
        #expect(exit.signal == SIGTERM)
    }

    /// The reaper thread started it, with a parent-death signal tied to that thread: after shutdown the
    /// reaper stays as long as it runs, so it is neither killed by the signal nor left a zombie.
    @Test(arguments: [false, true])
    func shutdownKeepsTheReaperForChildrenItStarted(pinned: Bool) throws {
        let cpus = pinned ? [try lastAllowedCPU()] : []
        let events = EventCollector()
        let launcher = ProcessLauncher(onEvents: events.handler())
        _ = try launcher.spawn(SpawnSpec(executable: "/bin/sleep", arguments: ["30"], cpus: cpus), token: 1)
        #expect(try launcher.spawn(SpawnSpec(executable: "/bin/sleep", arguments: ["30"], cpus: cpus, parentDeathSignal: SIGKILL),
                                   token: 2, after: 1))
        launcher.signal(token: 1, SIGKILL)
        let batch = try events.waitForBatch("the start of 2") { $0.starts.contains { $0.token == 2 } }
        let pid = try batch.starts.first { $0.token == 2 }!.result.get().pid
        launcher.shutdown()
        #expect(kill(pid, 0) == 0)
        kill(pid, SIGTERM)
        // Reaped by the lingering reaper: the pid disappears instead of staying a zombie.
        let deadline = Date().addingTimeInterval(30)
        while kill(pid, 0) == 0 && Date() < deadline { sched_yield() }
        #expect(kill(pid, 0) == -1 && errno == ESRCH)
        // Nothing is reported after shutdown.
        #expect(!events.all.contains { $0.exits.contains { $0.token == 2 } })
    }

    /// The successor of a task pinned to CPU c is started by the reaper bound to c: the thread
    /// named pilot-reap-c exists, is bound to c alone, and the successor runs on c.
    @Test func aPinnedTasksSuccessorStartsOnTheReaperOfItsCPU() throws {
        let events = EventCollector()
        let launcher = ProcessLauncher(onEvents: events.handler())
        defer { launcher.shutdown() }
        for (index, cpu) in try parseCPUList(try threadStatus("Cpus_allowed_list")).prefix(4).enumerated() {
            let first = UInt64(2 * index + 1), second = first + 1
            let out = temporaryPath("reaper-cpu-\(cpu)")
            defer { unlink(out) }
            _ = try launcher.spawn(SpawnSpec(executable: "/bin/sleep", arguments: ["30"], cpus: [cpu]), token: first)
            #expect(try launcher.spawn(SpawnSpec(executable: "/bin/grep", arguments: ["Cpus_allowed_list", "/proc/self/status"],
                                                 stdoutPath: out, cpus: [cpu]), token: second, after: first))
            let reaper = try #require(try threadNamed("pilot-reap-\(cpu)"), "no reaper thread for CPU \(cpu)")
            #expect(try parseCPUList(reaper) == [cpu])
            launcher.signal(token: first, SIGKILL)
            let batch = try events.waitForBatch("the start of \(second)") { $0.starts.contains { $0.token == second } }
            #expect(batch.exits.contains { $0.token == first })
            #expect(try events.waitForExit(of: second).exitCode == 0)
            #expect(try parseCPUList(readFile(out).split(separator: ":").last.map(String.init) ?? "") == [cpu])
        }
    }
}

/// The highest CPU this thread may run on.
func lastAllowedCPU() throws -> Int {
    try #require(try parseCPUList(try threadStatus("Cpus_allowed_list")).last)
}

/// The Cpus_allowed_list of this process's thread called `name`, or nil if there is none.
func threadNamed(_ name: String) throws -> String? {
    for tid in try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") {
        guard let comm = try? String(contentsOfFile: "/proc/self/task/\(tid)/comm", encoding: .utf8),
              comm.trimmingCharacters(in: .whitespacesAndNewlines) == name else { continue }
        let status = try String(contentsOfFile: "/proc/self/task/\(tid)/status", encoding: .utf8)
        let line = status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") }
        return line.map { $0.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces) }
    }
    return nil
}
