import Foundation
import PilotCore
import PilotProtocol
import Testing

/// The real `pilot` binary: a manager on port 0, agents with synthetic topologies, real processes.
@Suite(.serialized) struct CoreEndToEndTests {
    @Test func fiveHundredMixedTasksArePinnedToTheirBoundCoresWithoutSharing() async throws {
        let c = LiveCluster(tag: "mixed")
        defer { c.shutdown() }
        try await c.startManager()
        // Two NUMA domains of one core each: the PUs match this 2-CPU machine, so pinning is exact.
        let topo = "synthetic:package:1 numa:2 core:1 pu:1"
        _ = try c.startAgent(["--topology", topo], name: "agent1")
        _ = try c.startAgent(["--topology", topo], name: "agent2")
        try await c.waitForAgents(2)
        let script = "grep Cpus_allowed_list: /proc/self/status; sleep 0.0$((PILOT_TASK_ID % 3))"
        var one = TaskSpec(name: "one", command: ["/bin/sh", "-c", script], request: ResourceRequest(cores: 1))
        one.priority = 0
        let two = TaskSpec(name: "two", command: ["/bin/sh", "-c", script], request: ResourceRequest(cores: 2))
        _ = try await c.client.submit(SubmitRequest(array: ArraySubmission(template: one, range: "1-400")))
        _ = try await c.client.submit(SubmitRequest(array: ArraySubmission(template: two, range: "1-100")))
        let w = try await c.waitAll()
        #expect(w.summary.count(.done) == 500)
        #expect(w.failed == 0)

        var tasks: [TaskInfo] = []
        for id in Int64(1)...500 { tasks.append(try await c.client.task(id)) }
        for t in tasks {
            let b = try #require(t.binding)
            let pus = b.placements[0].pus.sorted()
            let out = try String(contentsOfFile: try #require(t.stdoutPath), encoding: .utf8)
            let line = try #require(out.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") })
            let seen = line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces)
            #expect(seen == cpuList(pus), "task \(t.id) ran on \(seen) but was bound to \(pus)")
        }
        // No two tasks that ran at the same time on one agent shared a core.
        let byAgent = Dictionary(grouping: tasks) { $0.agent ?? -1 }
        for (_, list) in byAgent {
            let sorted = list.sorted { $0.startedAt! < $1.startedAt! }
            for (i, a) in sorted.enumerated() {
                for b in sorted[(i + 1)...] {
                    guard b.startedAt! < a.endedAt! else { break }
                    let shared = Set(a.binding!.placements[0].cores).intersection(b.binding!.placements[0].cores)
                    #expect(shared.isEmpty, "tasks \(a.id) and \(b.id) overlapped in time on cores \(shared)")
                }
            }
        }
        #expect(Set(tasks.compactMap(\.agent)).count == 2)
    }

    @Test func badInputGetsClearErrorsAndNeverCrashesTheManager() async throws {
        let c = LiveCluster(tag: "bad")
        defer { c.shutdown() }
        try await c.startManager()
        _ = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:2 pu:1"], name: "agent")
        try await c.waitForAgents(1)

        // A malformed tasks file: the error names the file, the line and the field.
        let bad = c.dir + "/bad.yaml"
        try "version: 1\ntasks:\n  - name: x\n    command: [\"true\"]\n    cores: many\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let r1 = try PilotBinary.run(["submit", "--server-dir", c.dir, "--file", bad])
        #expect(r1.status != 0)
        #expect(r1.err.contains("bad.yaml:5"), "\(r1.err)")
        #expect(r1.err.contains("tasks[0].cores"), "\(r1.err)")
        #expect(r1.err.contains("must be an integer"), "\(r1.err)")

        // A request larger than any node.
        let r2 = try PilotBinary.run(["submit", "--server-dir", c.dir, "--cores", "64", "--", "true"])
        #expect(r2.status != 0)
        #expect(r2.err.contains("no registered agent can ever run"), "\(r2.err)")

        // A resource kind no agent offers, and a built-in name misused as a custom kind.
        let r3 = try PilotBinary.run(["submit", "--server-dir", c.dir, "--custom", "license=1", "--", "true"])
        #expect(r3.status == 65, "refused by the manager: \(r3.status)")
        #expect(r3.err.contains("license"), "\(r3.err)")
        let r4 = try PilotBinary.run(["submit", "--server-dir", c.dir, "--custom", "cores=1", "--", "true"])
        #expect(r4.status == 64, "a usage error: \(r4.status)")
        #expect(r4.err.contains("built-in"), "\(r4.err)")
        // A flag no command has is a usage error naming it, not the start of the task's command.
        let r5 = try PilotBinary.run(["submit", "--server-dir", c.dir, "--resource", "license=1", "--", "true"])
        #expect(r5.status == 64, "\(r5.status) \(r5.out)")
        #expect(r5.err.contains("unknown option '--resource'"), "\(r5.err)")

        // Wrong token and no token: 401 with a clear message.
        let wrong = PilotClient(host: "127.0.0.1", port: c.client.baseURL.port!, token: "not-the-token", tlsFingerprint: c.client.tlsFingerprint)
        await #expect { try await wrong.summary() } throws: { "\($0)".contains("401") }
        let (_, code) = try await PilotClient(host: "127.0.0.1", port: c.client.baseURL.port!, token: "", tlsFingerprint: c.client.tlsFingerprint)
            .raw("GET", "/v1/summary", body: nil, auth: false)
        #expect(code == 401)

        // Malformed API bodies: wrong types, truncated JSON, garbage.
        for body in ["{\"tasks\": 5}", "{\"tasks\": [{\"command\": \"x\"", "\u{0}\u{1}garbage", "{\"tasks\": [{\"command\": [\"x\"], \"array\": \"9-1\"}]}"] {
            let (data, code) = try await c.client.raw("POST", "/v1/tasks", body: Data(body.utf8))
            #expect(code == 400, "\(body) → \(code) \(String(decoding: data, as: UTF8.self))")
            #expect(String(decoding: data, as: UTF8.self).contains("\"error\""))
        }
        // Unknown and camelCase keys are refused by name with the nearest known key; nothing is stored.
        for (body, named, hint) in [(#"{"tasks":[{"command":["hostname"],"cores":1,"time_limt":"10m"}]}"#, "tasks[0].time_limt", "time_limit"),
                                    (#"{"tasks":[{"command":["hostname"],"timeLimit":600}]}"#, "tasks[0].timeLimit", "time_limit"),
                                    (#"{"taks":[{"command":["hostname"]}]}"#, "taks", "tasks")] {
            let (data, code) = try await c.client.raw("POST", "/v1/tasks", body: Data(body.utf8))
            let text = String(decoding: data, as: UTF8.self)
            #expect(code == 400, "\(body) → \(code) \(text)")
            #expect(text.contains(#""field":"\#(named)""#) && text.contains("did you mean '\(hint)'"), "\(text)")
        }
        // The issue's own example: every key counts, bare minutes or explicit units.
        let (made, madeCode) = try await c.client.raw("POST", "/v1/tasks", body: Data(#"{"tasks":[{"command":["hostname"],"cores":2,"time_limit":"10m","mem":64}]}"#.utf8))
        #expect(madeCode == 200, "\(String(decoding: made, as: UTF8.self))")
        let madeID = try APICoding.decoder().decode(SubmitResponse.self, from: made).first
        let (shown, _) = try await c.client.raw("GET", "/v1/tasks/\(madeID)", body: nil)
        let shownText = String(decoding: shown, as: UTF8.self)
        #expect(shownText.contains(#""cores":2"#) && shownText.contains(#""time_limit":"600s""#) && shownText.contains(#""mem":"64M""#), "\(shownText)")
        #expect(shownText.contains("submitted_at") && !shownText.contains("submittedAt"), "responses are snake_case: \(shownText)")
        // The manager is still up and still runs work.
        let ok = try await c.client.submit(SubmitRequest(tasks: [TaskSpec(command: ["true"])]))
        let w = try await c.client.wait(ids: [ok.first], timeout: 30)
        #expect(w.finished && w.failed == 0)
    }

    @Test func embeddedRunOfTheExampleSucceeds() throws {
        let r = try PilotBinary.run(["run", "Examples/hello.yaml"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("failed: 0"))
        #expect(r.out.contains("utilisation"))
        #expect(r.out.contains("hello from SwiftPilot"), "the tasks' output is shown: \(r.out)")
        let kept = try PilotBinary.run(["run", "Examples/hello.yaml", "--keep", "--show-output", "0"])
        #expect(kept.status == 0, "\(kept.err)")
        #expect(!kept.out.contains("hello from SwiftPilot"))
        let dir = try #require(kept.out.split(separator: "\n").first { $0.hasPrefix("kept: ") }?.dropFirst(6).split(separator: " ").first)
        defer { try? FileManager.default.removeItem(atPath: String(dir)) }
        let logs = try FileManager.default.contentsOfDirectory(atPath: "\(dir)/logs")
        let stdout = try logs.filter { $0.hasSuffix(".out") }.map { try String(contentsOfFile: "\(dir)/logs/\($0)", encoding: .utf8) }
        #expect(stdout.contains { $0.contains("hello from SwiftPilot") }, "\(logs)")
    }

    @Test func failingTasksAreRetriedThenFailedWithTheReason() async throws {
        let c = LiveCluster(tag: "retry")
        defer { c.shutdown() }
        try await c.startManager()
        _ = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:2 pu:1"], name: "agent")
        try await c.waitForAgents(1)
        var spec = TaskSpec(command: ["/bin/sh", "-c", "exit 3"])
        spec.retries = 2
        let s = try await c.client.submit(SubmitRequest(tasks: [spec]))
        let w = try await c.client.wait(ids: [s.first], timeout: 60)
        #expect(w.finished)
        let t = try await c.client.task(s.first)
        #expect(t.state == .failed)
        #expect(t.attempt == 3)
        #expect(t.reason?.contains("exit code 3") == true)
        #expect(t.reason?.contains("after 2 retries") == true)
    }
}

func cpuList(_ ids: [Int]) -> String {
    var out: [String] = []
    var i = 0
    let s = ids.sorted()
    while i < s.count {
        var j = i
        while j + 1 < s.count, s[j + 1] == s[j] + 1 { j += 1 }
        out.append(j > i ? "\(s[i])-\(s[j])" : "\(s[i])")
        i = j + 1
    }
    return out.joined(separator: ",")
}
