import Foundation
import Testing
@testable import PilotLaunch

/// Collects each `onBatches` call whole, so tests can check which wake-ups were reported together.
final class DeliveryCollector: @unchecked Sendable {  // all state behind `condition`'s lock
    private let condition = NSCondition()
    private var deliveries: [[LaunchEvents]] = []

    func handler() -> @Sendable ([LaunchEvents]) -> Void {
        { [self] batches in
            condition.lock()
            deliveries.append(batches)
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Waits until the exit of `token` was delivered; returns every delivery so far.
    func waitForExit(of token: UInt64, timeout: Double = 60) throws -> [[LaunchEvents]] {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while !deliveries.contains(where: { $0.contains { $0.exits.contains { $0.token == token } } }) {
            guard condition.wait(until: deadline) else { throw TestFailure("timed out waiting for the exit of \(token)") }
        }
        return deliveries
    }
}

/// Successors queued behind successors: a core's queue in the launcher, started in order by the
/// reaper, reported in held batches while the queue is not empty.
@Suite struct SuccessorQueueTests {
    /// What happened, flattened in delivery order: "x1" is the exit of 1, "s2" the start of 2, "f2" its failed start.
    static func story(_ deliveries: [[LaunchEvents]]) -> [String] {
        deliveries.flatMap { $0 }.flatMap { b in
            b.exits.map { "x\($0.token)" } + b.starts.map { s in
                switch s.result { case .success: "s\(s.token)"; case .failure: "f\(s.token)" }
            }
        }
    }

    @Test func aQueueStartsInOrderEachInTheBatchOfTheExitBeforeIt() throws {
        let deliveries = DeliveryCollector()
        let launcher = ProcessLauncher(onBatches: deliveries.handler())
        defer { launcher.shutdown() }
        _ = try launcher.spawn(SpawnSpec(executable: "/bin/sleep", arguments: ["30"]), token: 1)
        for t: UInt64 in 2...4 {
            #expect(try launcher.spawn(SpawnSpec(executable: "/bin/sh", arguments: ["-c", "exit \(t)"]), token: t, after: t - 1))
        }
        #expect(launcher.running == 1)
        launcher.signal(token: 1, SIGKILL)
        let all = try deliveries.waitForExit(of: 4)
        #expect(Self.story(all) == ["x1", "s2", "x2", "s3", "x3", "s4", "x4"])
        let exits = all.flatMap { $0 }.flatMap(\.exits)
        #expect(exits.map { $0.exit.exitCode } == [nil, 2, 3, 4])
        // Without a hold every wake-up goes out on its own.
        #expect(all.allSatisfy { $0.count == 1 })
    }

    /// Wake-ups that leave the core running with more queued are held; the one that leaves nothing
    /// queued goes out with all of them, in order. The hold is far longer than the test, so only
    /// that rule can have released them.
    @Test func heldWakeUpsGoOutTogetherWhenTheQueueRunsDry() throws {
        let deliveries = DeliveryCollector()
        let launcher = ProcessLauncher(holdQueued: .seconds(600), onBatches: deliveries.handler())
        defer { launcher.shutdown() }
        _ = try launcher.spawn(SpawnSpec(executable: "/bin/sleep", arguments: ["30"]), token: 1)
        for t: UInt64 in 2...5 {
            #expect(try launcher.spawn(SpawnSpec(executable: "/bin/true"), token: t, after: t - 1))
        }
        launcher.signal(token: 1, SIGKILL)
        let all = try deliveries.waitForExit(of: 5)
        // 1's exit started 2 (3 behind it), 2's started 3 (4 behind), 3's started 4 (5 behind): held.
        // 4's exit started 5 with nothing behind: all four wake-ups in one delivery. 5's exit left
        // the core empty: at once.
        #expect(all.map(\.count) == [4, 1])
        #expect(Self.story(all) == ["x1", "s2", "x2", "s3", "x3", "s4", "x4", "s5", "x5"])
    }

    /// A successor that cannot start (its working directory went away after it was queued) is
    /// reported as failed, and the one behind it starts in its place within the same wake-up;
    /// a failure goes out at once, with what was held.
    @Test func aFailedStartIsFollowedByTheNextInTheQueue() throws {
        let dir = temporaryPath("queue-cwd")
        #expect(mkdir(dir, 0o755) == 0)
        defer { rmdir(dir) }
        let deliveries = DeliveryCollector()
        let launcher = ProcessLauncher(holdQueued: .seconds(600), onBatches: deliveries.handler())
        defer { launcher.shutdown() }
        _ = try launcher.spawn(SpawnSpec(executable: "/bin/sleep", arguments: ["30"]), token: 1)
        #expect(try launcher.spawn(SpawnSpec(executable: "/bin/true", workingDirectory: dir), token: 2, after: 1))
        #expect(try launcher.spawn(SpawnSpec(executable: "/bin/sh", arguments: ["-c", "exit 3"]), token: 3, after: 2))
        #expect(rmdir(dir) == 0)
        launcher.signal(token: 1, SIGKILL)
        let all = try deliveries.waitForExit(of: 3)
        #expect(Self.story(all) == ["x1", "f2", "s3", "x3"])
        let failure = all.flatMap { $0 }.flatMap(\.starts).first { $0.token == 2 }
        guard case .failure(let error)? = failure?.result else {
            Issue.record("2 should have failed to start")
            return
        }
        #expect(error.errno == ENOENT)
        #expect(all.flatMap { $0 }.flatMap(\.exits).first { $0.token == 3 }?.exit.exitCode == 3)
    }

    /// Cancelling a successor in the middle of a queue moves the one behind it up; cancelling one
    /// that started is refused.
    @Test func cancellingAQueuedSuccessorMovesTheNextUp() throws {
        let deliveries = DeliveryCollector()
        let launcher = ProcessLauncher(onBatches: deliveries.handler())
        defer { launcher.shutdown() }
        _ = try launcher.spawn(SpawnSpec(executable: "/bin/sleep", arguments: ["30"]), token: 1)
        #expect(try launcher.spawn(SpawnSpec(executable: "/bin/sh", arguments: ["-c", "exit 2"]), token: 2, after: 1))
        #expect(try launcher.spawn(SpawnSpec(executable: "/bin/sh", arguments: ["-c", "exit 3"]), token: 3, after: 2))
        #expect(try launcher.spawn(SpawnSpec(executable: "/bin/sh", arguments: ["-c", "exit 4"]), token: 4, after: 3))
        #expect(launcher.cancelSuccessor(token: 3))
        #expect(!launcher.cancelSuccessor(token: 3))
        // 2 now has 4 behind it, so nothing more queues behind 2; 4 takes one.
        #expect(try !launcher.spawn(SpawnSpec(executable: "/bin/true"), token: 5, after: 2))
        #expect(try !launcher.spawn(SpawnSpec(executable: "/bin/true"), token: 5, after: 3))
        #expect(try launcher.spawn(SpawnSpec(executable: "/bin/sh", arguments: ["-c", "exit 5"]), token: 5, after: 4))
        launcher.signal(token: 1, SIGKILL)
        let all = try deliveries.waitForExit(of: 5)
        #expect(Self.story(all) == ["x1", "s2", "x2", "s4", "x4", "s5", "x5"])
        #expect(!launcher.cancelSuccessor(token: 5))
    }
}
