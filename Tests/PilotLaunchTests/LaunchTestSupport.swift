import CPilotSpawn
import Foundation
import Testing
@testable import PilotLaunch

/// Collects onExit batches and lets a test wait for specific tokens without sleeping:
/// waiters block on a condition variable the reaper's callback broadcasts.
final class ExitCollector: @unchecked Sendable {  // all state behind `condition`'s lock
    private let condition = NSCondition()
    private var exits: [UInt64: [ProcessExit]] = [:]
    private var batchTokens: [[UInt64]] = []

    func handler() -> @Sendable ([(token: UInt64, exit: ProcessExit)]) -> Void {
        { [self] batch in
            condition.lock()
            batchTokens.append(batch.map(\.token))
            for (token, exit) in batch { exits[token, default: []].append(exit) }
            condition.broadcast()
            condition.unlock()
        }
    }

    var batches: [[UInt64]] {
        condition.lock()
        defer { condition.unlock() }
        return batchTokens
    }

    var allExits: [UInt64: [ProcessExit]] {
        condition.lock()
        defer { condition.unlock() }
        return exits
    }

    func wait(for tokens: [UInt64], timeout: Double = 60) throws -> [UInt64: ProcessExit] {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            var found: [UInt64: ProcessExit] = [:]
            for token in tokens { if let first = exits[token]?.first { found[token] = first } }
            if found.count == tokens.count { return found }
            guard condition.wait(until: deadline) else {
                throw TestFailure("timed out waiting for tokens \(tokens.filter { found[$0] == nil })")
            }
        }
    }

    /// Waits until `token` has been reported `count` times (tokens may be reused).
    func waitForCount(of token: UInt64, _ count: Int, timeout: Double = 60) throws {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while exits[token, default: []].count < count {
            guard condition.wait(until: deadline) else { throw TestFailure("timed out waiting for token \(token)") }
        }
    }

    func wait(for token: UInt64, timeout: Double = 60) throws -> ProcessExit {
        try wait(for: [token], timeout: timeout)[token]!
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory
        .appendingPathComponent("pilot-launch-\(getpid())-\(UInt32.random(in: 0...UInt32.max))-\(name)").path
}

func readFile(_ path: String) throws -> String {
    try String(contentsOfFile: path, encoding: .utf8)
}

/// Waits (poll on a pidfd, no sleeping) until a process we did not start as a task exits.
func waitForExit(ofPID pid: Int32, timeoutMs: Int32 = 30_000) throws {
    let fd = pilot_spawn_pidfd_open(pid)
    if fd == -ESRCH { return }
    guard fd >= 0 else { throw TestFailure("pidfd_open(\(pid)): errno \(-fd)") }
    defer { close(fd) }
    guard pilot_spawn_pidfd_wait_exit(fd, timeoutMs) == 1 else { throw TestFailure("pid \(pid) did not exit") }
}

let basicEnvironment = ["PATH": "/usr/bin:/bin"]
