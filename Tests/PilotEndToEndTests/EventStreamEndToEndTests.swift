import Foundation
import PilotCore
import PilotProtocol
import Testing

/// `GET /v1/events` as a client sees it over real HTTP (curl): the Server-Sent Events stream holds
/// every change of every task in order with no gaps, resumes after `since` without repeating, and
/// a malformed query gets a 400 naming the parameter.
@Suite(.serialized) struct EventStreamEndToEndTests {
    func curl(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        p.arguments = ["-sN"] + args
        let o = Pipe()
        p.standardOutput = o
        try p.run()
        let data = o.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// (sequence number, kind) of each SSE event.
    func events(_ text: String) -> [(Int64, String)] {
        var out: [(Int64, String)] = []
        var id: Int64?
        for line in text.split(separator: "\n") {
            if line.hasPrefix("id: ") { id = Int64(line.dropFirst(4)) }
            if line.hasPrefix("event: "), let i = id { out.append((i, String(line.dropFirst(7)))); id = nil }
        }
        return out
    }

    @Test func streamHoldsEveryChangeInOrderAndResumes() async throws {
        let c = LiveCluster(tag: "events")
        defer { c.shutdown() }
        try await c.startManager()
        _ = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:2 pu:1"], name: "agent")
        try await c.waitForAgents(1)
        let r = try await c.client.submit(SubmitRequest(array: ArraySubmission(template: TaskSpec(command: ["/bin/true"]), range: "1-20")))
        _ = try await c.waitAll()
        let a = try AccessFile.read(from: c.dir)
        let base = a.baseURL + "/v1/events"
        let tls = a.curlTLS(serverDir: c.dir)
        let auth = ["-H", "Authorization: Bearer \(a.token)"] + tls
        // The stream stays open for live events: curl stops it after a moment, and what arrived is checked.
        let all = events(try curl(auth + ["--max-time", "2", base + "?follow=true"]))
        #expect(all.map(\.0) == Array(1...Int64(all.count)), "sequence numbers have gaps")
        let finished = all.filter { $0.1 == "task_finished" }.count
        #expect(finished == r.count, "\(finished) task_finished events for \(r.count) tasks")
        #expect(all.contains { $0.1 == "task_submitted" } && all.contains { $0.1 == "agent_registered" })
        // A client that saw up to the middle resumes after it and gets exactly the rest.
        let mid = all[all.count / 2].0
        let rest = events(try curl(auth + ["--max-time", "2", "-H", "Last-Event-ID: \(mid)", base + "?follow=true"]))
        #expect(rest.map(\.0) == Array((mid + 1)...all.last!.0))
        // Filters: one task's own history.
        let one = events(try curl(auth + ["--max-time", "2", base + "?follow=true&task=\(r.first)"]))
        #expect(one.map(\.1).contains("task_finished") && !one.map(\.1).contains("agent_registered"))
        // Bad input: a clear 400 naming the parameter; no token, 401.
        let bad = try curl(auth + ["-w", "%{http_code}", base + "?since=abc"])
        #expect(bad.hasSuffix("400") && bad.contains("\"field\":\"since\""), "\(bad)")
        let kind = try curl(auth + ["-w", "%{http_code}", base + "?kind=bogus"])
        #expect(kind.hasSuffix("400") && kind.contains("unknown kind 'bogus'"), "\(kind)")
        let unknown = try curl(auth + ["-w", "%{http_code}", base + "?sinse=3"])
        #expect(unknown.hasSuffix("400") && unknown.contains("unknown parameter 'sinse'"), "\(unknown)")
        #expect(try curl(tls + ["-w", "%{http_code}", "-o", "/dev/null", base]) == "401")
    }
}
