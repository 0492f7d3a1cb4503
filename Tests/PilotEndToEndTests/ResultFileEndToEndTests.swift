import Foundation
import PilotCore
import PilotProtocol
import Testing

/// A task chooses what lies at `$PILOT_RESULT_FILE`; nothing it puts there may hang its agent.
@Suite(.serialized) struct ResultFileEndToEndTests {
    static let topology = "synthetic:package:1 numa:1 core:1 pu:1"

    func runOne(_ c: LiveCluster, _ script: String) async throws -> TaskInfo {
        let r = try await c.client.submit(SubmitRequest(tasks: [TaskSpec(command: ["/bin/sh", "-c", script])]))
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let t = try await c.client.task(r.first)
            if t.state.isTerminal { return t }
            _ = try await c.client.wait(ids: [r.first], timeout: 2)
        }
        throw E2EError("task \(r.first) (\(script)) did not finish: \(c.log("agent"))")
    }

    @Test func aFIFOResultFailsTheTaskAndTheAgentKeepsServing() async throws {
        let c = LiveCluster(tag: "fifo")
        defer { c.shutdown() }
        try await c.startManager()
        _ = try c.startAgent(["--topology", Self.topology], name: "agent")
        try await c.waitForAgents(1)
        let agentBefore = try await c.client.agents().map(\.id)

        let fifo = try await runOne(c, "mkfifo \"$PILOT_RESULT_FILE\"")
        #expect(fifo.state == .failed)
        #expect(fifo.reason?.contains("not a regular file (a FIFO)") == true, "\(fifo.reason ?? "nil")")

        // The agent was never declared lost: the same agent runs the next task.
        let next = try await runOne(c, "echo '{\"x\": 1}' > \"$PILOT_RESULT_FILE\"")
        #expect(next.state == .done, "\(next.reason ?? "")")
        #expect(next.result?.text.contains("\"x\"") == true)
        #expect(try await c.client.agents().map(\.id) == agentBefore)
        #expect(fifo.agent == next.agent)
    }

    @Test func nonJSONOversizedAndLinkedResultsFailWithTheirReason() async throws {
        let c = LiveCluster(tag: "badresult")
        defer { c.shutdown() }
        try await c.startManager()
        _ = try c.startAgent(["--topology", Self.topology], name: "agent")
        try await c.waitForAgents(1)

        let text = try await runOne(c, "echo 'not json' > \"$PILOT_RESULT_FILE\"")
        #expect(text.state == .failed)
        #expect(text.reason?.contains("not valid JSON") == true, "\(text.reason ?? "nil")")
        #expect(text.result == nil)

        let big = try await runOne(c, "yes 1 | head -c 2000000 > \"$PILOT_RESULT_FILE\"")
        #expect(big.state == .failed)
        #expect(big.reason?.contains("over the limit of \(InputLimits.maxResultBytes)") == true, "\(big.reason ?? "nil")")

        let secret = c.dir + "/secret.json"
        try "{\"secret\": true}".write(toFile: secret, atomically: true, encoding: .utf8)
        let link = try await runOne(c, "ln -s \(secret) \"$PILOT_RESULT_FILE\"")
        #expect(link.state == .failed)
        #expect(link.reason?.contains("symbolic link") == true, "\(link.reason ?? "nil")")
        #expect(link.result == nil)
        #expect(FileManager.default.fileExists(atPath: secret))
    }
}
