import Foundation
import PilotCore
import PilotProtocol
import Testing

/// `pilot report` against a live manager: the SVG has one bar per task (each on one core), the HTML
/// is one file with the Gantt inline, and bad requests fail with a message.
@Suite(.serialized) struct ReportEndToEndTests {
    @Test func reportFromTheJournalOfALiveManager() async throws {
        let c = LiveCluster(tag: "report")
        defer { c.shutdown() }
        try await c.startManager()
        _ = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:3 pu:1"], name: "agent")
        try await c.waitForAgents(1)
        _ = try await c.client.submit(SubmitRequest(array: ArraySubmission(template: TaskSpec(command: ["sh", "-c", "sleep 0.05"]), range: "1-12")))
        _ = try await c.waitAll()

        let svg = c.dir + "/gantt.svg"
        let r = try PilotBinary.run(["report", "--server-dir", c.dir, "-o", svg])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("12 tasks"), "\(r.out)")
        let text = try String(contentsOfFile: svg, encoding: .utf8)
        #expect(text.hasPrefix("<svg"))
        let tasks = text.components(separatedBy: "data-task=\"").dropFirst().compactMap { Int64($0.prefix { $0.isNumber }) }
        #expect(tasks.sorted() == Array(1...12))

        let html = c.dir + "/report.html"
        let h = try PilotBinary.run(["report", "--server-dir", c.dir, "--since", "1h", "-o", html])
        #expect(h.status == 0, "\(h.err)")
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("<svg") && page.contains("class=\"utilisation\"") && !page.contains("<script"))

        let bad = try PilotBinary.run(["report", "--server-dir", c.dir, "-o", c.dir + "/report.pdf"])
        #expect(bad.status != 0 && bad.err.contains(".html or .svg"), "\(bad.err)")
        let none = try PilotBinary.run(["report", "--server-dir", c.dir, "--workflow", "99", "-o", html])
        #expect(none.status != 0 && none.err.contains("workflow 99"), "\(none.err)")
        let when = try PilotBinary.run(["report", "--server-dir", c.dir, "--since", "yesterday", "-o", html])
        #expect(when.status != 0 && when.err.contains("--since"), "\(when.err)")
    }
}
