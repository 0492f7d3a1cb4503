import Foundation
import PilotCore
import PilotProtocol
import Testing

/// `--after` orders plain tasks, `--after-ok` fails a task whose dependency failed, and
/// `pilot resubmit` runs only the failed ones again, keeping their order.
@Suite struct DependencyEndToEndTests {
    func submit(_ c: LiveCluster, _ args: [String]) throws -> Int64 {
        let r = try PilotBinary.run(["submit", "--server-dir", c.dir, "--json"] + args)
        guard r.status == 0 else { throw E2EError("submit \(args): \(r.err)") }
        let list = try APICoding.decoder().decode([SubmitResponse].self, from: Data(r.out.utf8))
        return list[0].first
    }

    @Test func afterOrdersTasksAndResubmitRerunsOnlyFailedOnes() async throws {
        let c = LiveCluster(tag: "after")
        defer { c.shutdown() }
        try await c.startManager()
        _ = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:4 pu:1"], name: "agent")
        try await c.waitForAgents(1)
        let marker = c.dir + "/second-time"
        // Fails the first time it runs, succeeds after.
        let a = try submit(c, ["--name", "a", "--", "/bin/sh", "-c", "sleep 2; if [ -f \(marker) ]; then exit 0; fi; touch \(marker); exit 1"])
        let b = try submit(c, ["--name", "b", "--after", "\(a)", "--", "true"])
        #expect(try await c.client.task(b).state == .new, "b waits for a")
        let ok = try submit(c, ["--name", "c", "--after", "\(a)", "--after-ok", "--", "true"])
        let d = try submit(c, ["--name", "d", "--after", "\(b)", "--", "true"])
        let bad = try PilotBinary.run(["submit", "--server-dir", c.dir, "--after", "999", "--", "true"])
        #expect(bad.status == 66 && bad.err.contains("no task 999"), "\(bad.status) \(bad.err)")

        _ = try await c.waitAll(timeout: 60)
        let (ta, tb, tc, td) = (try await c.client.task(a), try await c.client.task(b), try await c.client.task(ok), try await c.client.task(d))
        #expect(ta.state == .failed && tb.state == .done && td.state == .done)
        #expect(tc.state == .failed && tc.reason?.contains("dependency \(a) ended failed") == true, "\(tc.reason ?? "")")
        #expect(tc.startedAt == nil, "an after-ok task whose dependency failed never starts")
        #expect(try #require(tb.startedAt) >= (try #require(ta.endedAt)), "b started before a ended")
        #expect(try #require(td.startedAt) >= (try #require(tb.endedAt)), "d started before b ended")
        let waited = try await c.client.events(since: 0, task: b)
        #expect(waited.events.map(\.kind).prefix(3) == [.taskSubmitted, .taskWaiting, .taskReady], "\(waited.events.map(\.kind))")

        // Only the failed ones, in order, with c's dependency moved to a's new id.
        let r = try PilotBinary.run(["resubmit", "--server-dir", c.dir, "--json"])
        #expect(r.status == 0, "\(r.err)")
        let re = try APICoding.decoder().decode(ResubmitResponse.self, from: Data(r.out.utf8))
        #expect(re.count == 2 && re.from == [a, ok], "\(r.out)")
        _ = try await c.waitAll(timeout: 60)
        let (na, nc) = (try await c.client.task(re.first), try await c.client.task(re.first + 1))
        #expect(na.state == .done && nc.state == .done, "\(na.reason ?? "") \(nc.reason ?? "")")
        #expect(nc.spec?.after == [re.first])
        #expect(try #require(nc.startedAt) >= (try #require(na.endedAt)))
    }
}
