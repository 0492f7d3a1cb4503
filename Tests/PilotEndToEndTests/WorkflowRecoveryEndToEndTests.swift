import Foundation
import PilotCore
import PilotProtocol
import Testing

/// Issue 4 for workflows: the manager is SIGKILLed while the first stage runs, again while the
/// second runs, and again in the middle of an iterative loop, and restarted on the same server
/// directory each time. The workflow must end done, with every task run exactly once (its side
/// effect, a line in a file, appears once) and the loop's configured number of rounds.
@Suite(.serialized) struct WorkflowRecoveryEndToEndTests {
    @Test func workflowSurvivesManagerKillsInEveryStage() async throws {
        let c = LiveCluster(tag: "wfcrash")
        defer { c.shutdown() }
        let managerArgs = ["--heartbeat-timeout", "120"]
        try await c.startManager(extra: managerArgs)
        _ = try c.startAgent(["--topology", "synthetic:package:1 numa:1 core:2 pu:1"], name: "agent")
        try await c.waitForAgents(1)

        let effects = c.dir + "/effects.log"
        FileManager.default.createFile(atPath: effects, contents: nil)
        // Each stage holds at a gate file, so the test (not a timer) decides where the kills land.
        func gated(_ line: String, _ gate: String) -> String {
            "echo \(line) >> \(effects); while [ ! -e \(c.dir)/\(gate) ]; do sleep 0.02; done"
        }
        let yaml = """
        version: 1
        name: recover
        stages:
          first: {motif: ensemble, count: 4, command: ["sh", "-c", "\(gated("first-{i}", "gate1"))"]}
          second: {motif: ensemble, needs: [first], count: 2, command: ["sh", "-c", "\(gated("second-{i}", "gate2"))"]}
          loop:
            motif: iterative
            needs: [second]
            driver: command
            command: ["sh", "-c", "echo loop-{round} >> \(effects); if [ {round} = 1 ]; then while [ ! -e \(c.dir)/gate3 ]; do sleep 0.02; done; fi"]
            max_rounds: 4
        """
        let wf = try await c.client.submitWorkflow(WorkflowSubmitRequest(yaml: yaml, file: "recover.yaml"))

        func waitRunning(_ name: String) async throws {
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline {
                if try await c.client.tasks(state: .running).contains(where: { $0.name == name }) { return }
                try await Task.sleep(for: .milliseconds(20))
            }
            throw E2EError("\(name) never ran: \(c.log("manager"))")
        }
        func killAndRestart() async throws {
            kill(c.manager!.processIdentifier, SIGKILL)
            c.manager!.waitUntilExit()
            try await c.startManager(extra: managerArgs)
            let info = try await c.client.workflow(wf.id)
            #expect(info.state == "running", "workflow not restored as running: \(info.state)")
        }

        try await waitRunning("first[0]")
        try await killAndRestart()
        FileManager.default.createFile(atPath: c.dir + "/gate1", contents: nil)
        try await waitRunning("second[1]")
        try await killAndRestart()
        #expect(try await c.client.workflow(wf.id).stages.map(\.state) == ["done", "running", "pending"])
        FileManager.default.createFile(atPath: c.dir + "/gate2", contents: nil)
        try await waitRunning("loop[1]")
        try await killAndRestart()
        FileManager.default.createFile(atPath: c.dir + "/gate3", contents: nil)

        let info = try await waitForWorkflow(c.client, wf.id, timeout: 300)
        #expect(info.state == "done", "\(info.stages.map { "\($0.name): \($0.state) \($0.reason ?? "")" })")
        #expect(info.stages.map(\.state) == ["done", "done", "done"])
        #expect(info.stages.last?.rounds == 4)

        let lines = try String(contentsOfFile: effects, encoding: .utf8).split(separator: "\n").map(String.init)
        let expected = (0..<4).map { "first-\($0)" } + (0..<2).map { "second-\($0)" } + (0..<4).map { "loop-\($0)" }
        #expect(lines.sorted() == expected.sorted(), "side effects: \(lines)")
        let names = try await c.client.tasks(limit: 1000).compactMap(\.name)
        #expect(names.sorted() == ((0..<4).map { "first[\($0)]" } + (0..<2).map { "second[\($0)]" } + (0..<4).map { "loop[\($0)]" }).sorted(),
                "tasks submitted twice: \(names)")
    }
}
