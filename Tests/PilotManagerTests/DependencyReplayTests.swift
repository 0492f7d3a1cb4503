import Foundation
import PilotCore
import PilotProtocol
import PilotStore
import Testing
@testable import PilotManager

/// `after` in the pure reactor, event by event: a waiting task is neither queued nor bound, its
/// dependency's end releases it (or fails it, with `after_ok`), failures cascade down a chain, and
/// the wait survives a restart from the store.
@Suite struct DependencyReplayTests {
    typealias Replay = ReactorReplayTests.Replay

    static func spec(_ name: String, after: [Int64] = [], ok: Bool = false) -> TaskSpec {
        var s = TaskSpec(name: name, command: ["/bin/true"], request: ResourceRequest(cores: 1))
        s.after = after
        s.afterOk = ok
        return s
    }

    func end(_ r: Replay, _ id: Int64, attempt: Int = 1, code: Int32, conn: ConnectionID = 1) {
        _ = r.message(.finished([TaskOutcome(key: TaskKey(task: id, attempt: attempt), kind: .exited, exitCode: code, startedAt: r.now, endedAt: r.now)]),
                      conn: conn)
        _ = r.post(.tick)
    }

    func state(_ r: Replay, _ id: Int64) throws -> TaskState? {
        if let s = r.core.reactor.live[id]?.state { return s }
        return try r.core.store.task(id)?.state
    }

    @Test func aWaitingTaskRunsOnlyAfterItsDependencyEnds() throws {
        let r = try Replay()
        _ = r.hello("n1", cores: 4, conn: 1)
        _ = r.post(.tick)
        let effects = r.submit([Self.spec("a"), Self.spec("b", after: [1]), Self.spec("c", after: [2])], reply: 1)
        #expect(effects.contains { $0.contains("task_waiting(2#0)") && $0.contains("task_waiting(3#0)") }, "\(effects)")
        _ = r.post(.tick)
        #expect(try state(r, 1) == .bound && state(r, 2) == .new && state(r, 3) == .new)
        // Any end releases a plain `after`, even a failure; the chain moves one step at a time.
        end(r, 1, code: 1)
        #expect(try state(r, 1) == .failed && state(r, 2) == .bound && state(r, 3) == .new)
        end(r, 2, code: 0)
        #expect(try state(r, 3) == .bound)
        #expect(r.core.journal.contains { $0.kind == .taskReady && $0.task == 3 })
    }

    @Test func afterOkFailuresCascadeDownAChain() throws {
        let r = try Replay()
        _ = r.hello("n1", cores: 4, conn: 1)
        _ = r.post(.tick)
        _ = r.submit([Self.spec("a"), Self.spec("b", after: [1], ok: true), Self.spec("c", after: [2], ok: true),
                      Self.spec("d", after: [2])], reply: 1)
        _ = r.post(.tick)
        end(r, 1, code: 3)
        #expect(try state(r, 2) == .failed && state(r, 3) == .failed, "b and c fail with a")
        #expect(try state(r, 4) == .bound, "d only needed b to end")
        let c = try #require(try r.core.store.task(3))
        #expect(c.reason == "dependency 2 ended failed (after_ok)" && c.startedAt == nil)
        // Submitted after its dependency already failed: failed at once.
        _ = r.submit([Self.spec("late", after: [1], ok: true)], reply: 2)
        #expect(try state(r, 5) == .failed)
        // An id that names no task is refused at submit.
        let refused = r.submit([Self.spec("x", after: [99])], reply: 3)
        #expect(refused == ["reply r3 failed not_found"], "\(refused)")
    }

    @Test func theWaitSurvivesARestart() throws {
        let dir = NSTemporaryDirectory() + "pilot-dep-\(UUID().uuidString.prefix(8))"
        do {
            let r = try ReactorReplayTests.Replay(dir: dir)
            _ = r.submit([Self.spec("a"), Self.spec("b", after: [1], ok: true)], reply: 1)
            _ = r.post(.tick)
            #expect(try state(r, 2) == .new)
        }
        let r = try ReactorReplayTests.Replay(dir: dir)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (s1, s2) = (try state(r, 1), try state(r, 2))
        #expect(s2 == .new, "still waiting after the restart: a \(String(describing: s1)), b \(String(describing: s2))")
        _ = r.hello("n1", cores: 2, conn: 1)
        _ = r.post(.tick)
        #expect(try state(r, 1) == .bound && state(r, 2) == .new)
        end(r, 1, code: 0)
        #expect(try state(r, 2) == .bound)
    }
}
