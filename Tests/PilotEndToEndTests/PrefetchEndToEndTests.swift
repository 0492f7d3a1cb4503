import Foundation
import Testing
import PilotCore
import PilotProtocol

/// Prefetch through the real binaries: tasks queued at the agent behind a running one.
@Suite(.serialized) struct PrefetchEndToEndTests {
    /// Polls a task until `done` says so (a readiness loop with a deadline, not a timed assertion).
    func until(_ c: LiveCluster, _ id: Int64, timeout: Double = 60, _ done: (TaskInfo) -> Bool) async throws -> TaskInfo {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let t = try await c.client.task(id)
            if done(t) { return t }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw E2EError("task \(id) did not reach the expected state: \(try await c.client.task(id))")
    }

    @Test func aQueuedTaskCanBeCanceledAndNeverRuns() async throws {
        let c = LiveCluster(tag: "prefetch-cancel")
        defer { c.shutdown() }
        try await c.startManager(extra: ["--prefetch", "2"])
        _ = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:1 pu:1", "--prefetch", "2"], name: "agent")
        try await c.waitForAgents(1)
        let marker = c.dir + "/second-ran"
        let first = TaskSpec(name: "long", command: ["/bin/sleep", "60"])
        let second = TaskSpec(name: "queued", command: ["/bin/sh", "-c", "touch \(marker)"])
        let a = try await c.client.submit(SubmitRequest(tasks: [first])).first
        let b = try await c.client.submit(SubmitRequest(tasks: [second])).first
        _ = try await until(c, a) { $0.state == .running }
        // One core, depth 2: the second task is bound to the same core and waits at the agent.
        let queued = try await until(c, b) { $0.state == .bound }
        #expect(queued.binding?.placements[0].cores == [0])
        _ = try await c.client.cancel([b])
        let canceled = try await until(c, b) { $0.state == .canceled }
        #expect(canceled.startedAt == nil)
        #expect(try await c.client.task(a).state == .running)
        _ = try await c.client.cancel([a])
        _ = try await c.waitAll(timeout: 120)
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    /// Three tasks queue in the launcher behind a running one, each behind the last. Cancelling the
    /// middle one moves the last up: it runs after the first queued one, and the cancelled one never runs.
    @Test func cancellingTheMiddleOfACoresQueueKeepsTheRestInOrder() async throws {
        let c = LiveCluster(tag: "prefetch-queue")
        defer { c.shutdown() }
        try await c.startManager(extra: ["--prefetch", "4"])
        _ = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:1 pu:1", "--prefetch", "4"], name: "agent")
        try await c.waitForAgents(1)
        let order = c.dir + "/order"
        let head = try await c.client.submit(SubmitRequest(tasks: [TaskSpec(name: "long", command: ["/bin/sleep", "60"])])).first
        var queued: [Int64] = []
        for name in ["q1", "q2", "q3"] {
            var spec = TaskSpec(name: name, command: ["/bin/sh", "-c", "echo \(name) >> \(order)"])
            // Known to be short, so the manager binds it past the depth of 2 that tasks of unknown length get.
            spec.timeRequest = 0.01
            queued.append(try await c.client.submit(SubmitRequest(tasks: [spec])).first)
        }
        _ = try await until(c, head) { $0.state == .running }
        for id in queued { _ = try await until(c, id) { $0.state == .bound } }
        _ = try await c.client.cancel([queued[1]])
        let canceled = try await until(c, queued[1]) { $0.state == .canceled }
        #expect(canceled.startedAt == nil)
        _ = try await c.client.cancel([head])
        let w = try await c.waitAll(timeout: 120)
        #expect(w.summary.count(.done) == 2)
        #expect(try String(contentsOfFile: order, encoding: .utf8) == "q1\nq3\n")
    }

    @Test func queuedTasksRunInBindingOrderOnTheirCoreOneAtATime() async throws {
        let c = LiveCluster(tag: "prefetch-order")
        defer { c.shutdown() }
        try await c.startManager(extra: ["--prefetch", "3"])
        _ = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:1 pu:1", "--prefetch", "3"], name: "agent")
        try await c.waitForAgents(1)
        let spec = TaskSpec(name: "t", command: ["/bin/sh", "-c", "sleep 0.0$((PILOT_ARRAY_INDEX % 3))"])
        let r = try await c.client.submit(SubmitRequest(array: ArraySubmission(template: spec, range: "0-29")))
        let w = try await c.waitAll()
        #expect(w.summary.count(.done) == 30)
        var tasks: [TaskInfo] = []
        for id in r.first..<(r.first + Int64(r.count)) { tasks.append(try await c.client.task(id)) }
        let byStart = tasks.sorted { $0.startedAt! < $1.startedAt! }
        for (x, y) in zip(byStart, byStart.dropFirst()) {
            #expect(y.startedAt! >= x.endedAt!, "tasks \(x.id) and \(y.id) overlapped on the only core")
        }
    }

    @Test func benchSubcommandsSmoke() throws {
        let w1 = try PilotBinary.run(["bench", "w1", "--n", "30", "--reps", "1"])
        #expect(w1.status == 0, "\(w1.err)")
        let line = try #require(w1.out.split(separator: "\n").last)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(obj["workload"] as? String == "w1")
        #expect(obj["failed"] as? Int == 0)
        #expect((obj["tasks_per_s"] as? Double ?? 0) > 0)
        let s = try PilotBinary.run(["bench", "scheduler", "--agents", "4", "--cores", "8", "--queue", "100", "--rounds", "2", "--churn", "10"])
        #expect(s.status == 0, "\(s.err)")
        #expect(s.out.contains("\"workload\":\"scheduler\""))
    }

    @Test func extDriverSpeaksThePeerHarnessProtocol() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: PilotBinary.path)
        p.arguments = ["bench", "ext"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = FileHandle.nullDevice
        try p.run()
        let dir = PilotBinary.tempDir("ext")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let requests = [
            #"{"op":"start","cores":2,"workdir":"\#(dir)"}"#,
            #"{"op":"run","kind":"program","argv":["/bin/true"],"n":25}"#,
            #"{"op":"run","kind":"noop","n":100}"#,
            #"{"op":"stop"}"#,
        ]
        input.fileHandleForWriting.write(Data((requests.joined(separator: "\n") + "\n").utf8))
        try input.fileHandleForWriting.close()
        let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let replies = out.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(replies.count == 4, "\(out)")
        for r in replies { #expect(r?["ok"] as? Bool == true, "\(out)") }
        #expect(p.terminationStatus == 0)
    }
}
