import Foundation
import PilotCore
@testable import PilotWorkflow
import Testing

/// One malformed value per task field, in each format that takes the field, with the exact text the
/// user reads and where it points: the shared YAML reader and the field table must agree on both.
@Suite struct TaskFieldMalformedTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var field: String
        /// After `key: ` in YAML.
        var yaml: String
        /// After `"key": ` in a JSON task; nil for `array`, which is the submit request's, not the task's.
        var json: String?
        var message: String
        var testDescription: String { "\(field): \(yaml)" }
    }

    static let cases: [Case] = [
        Case(field: "cores", yaml: "four", json: "\"four\"", message: "must be an integer, got 'four'"),
        Case(field: "gpus", yaml: "-1", json: "-1", message: "must be between 0 and 1024, got -1"),
        Case(field: "mem", yaml: "2X", json: "\"2X\"", message: "'2X': unknown size unit 'X' (use K, M, G, T)"),
        Case(field: "qpu", yaml: "dev:x", json: "\"dev:x\"", message: "'dev:x': 'x' is neither a slot count nor qubits>=Q"),
        Case(field: "custom", yaml: "{license: many}", json: "{\"license\": \"many\"}", message: "must be an integer amount, got 'many'"),
        Case(field: "time", yaml: "10x", json: "\"10x\"", message: "'10x': unknown duration unit 'x' (use s, m, h, d)"),
        Case(field: "time_limit", yaml: "soon", json: "\"soon\"", message: "'soon' is not a duration"),
        Case(field: "priority", yaml: "2000000", json: "2000000", message: "must be between -1000000 and 1000000, got 2000000"),
        Case(field: "retries", yaml: "-3", json: "-3", message: "must be between 0 and 1000, got -3"),
        Case(field: "crash_limit", yaml: "0", json: "0", message: "must be between 1 and 1000, got 0"),
        Case(field: "nodes", yaml: "0", json: "0", message: "must be between 1 and 100000, got 0"),
        Case(field: "ranks_per_node", yaml: "x", json: "\"x\"", message: "must be an integer, got 'x'"),
        Case(field: "cores_per_rank", yaml: "-1", json: "-1", message: "must be between 0 and 65536, got -1"),
        Case(field: "gpus_per_rank", yaml: "-2", json: "-2", message: "must be between 0 and 1024, got -2"),
        Case(field: "env", yaml: "[a]", json: "[\"a\"]", message: "'a': expected NAME=VALUE"),
        Case(field: "cwd", yaml: "[a]", json: "[\"a\"]", message: "must be a string, got a list"),
        Case(field: "capture_output", yaml: "maybe", json: "\"maybe\"", message: "must be true or false, got 'maybe'"),
        Case(field: "name", yaml: "[a]", json: "[\"a\"]", message: "must be a string, got a list"),
        Case(field: "pilot", yaml: "[a]", json: "[\"a\"]", message: "must be a string, got a list"),
        Case(field: "array", yaml: "3-1", json: nil, message: "'3-1': range end must be an integer ≥ start"),
        Case(field: "after", yaml: "x", json: "\"x\"", message: "'x' is not a task id"),
        Case(field: "after_ok", yaml: "-4", json: "-4", message: "must be true or false, got -4"),
        Case(field: "command", yaml: "{a: 1}", json: "{\"a\": 1}", message: "must be a list of strings or a shell command string, got a mapping"),
    ]

    @Test func everyFieldHasAMalformedCase() {
        #expect(Set(Self.cases.map(\.field)) == Set(TaskField.names))
    }

    @Test(arguments: cases) func tasksFile(_ c: Case) {
        let text = c.field == "command" ? "version: 1\ntasks:\n  - command: \(c.yaml)\n"
            : "version: 1\ntasks:\n  - command: [\"true\"]\n    \(c.field): \(c.yaml)\n"
        do {
            _ = try TaskFile.parse(text, file: "bad.yaml")
            Issue.record("accepted \(c.field): \(c.yaml)")
        } catch {
            #expect(error.reason == c.message)
            #expect(error.file == "bad.yaml")
            #expect(error.line == (c.field == "command" ? 3 : 4), "\(error)")
            #expect(error.field?.hasPrefix("tasks[0].\(c.field)") == true, "\(error)")
        }
    }

    @Test(arguments: cases.filter { $0.json != nil }) func json(_ c: Case) throws {
        let json = try #require(c.json)
        let command = c.field == "command" ? "" : "\"command\": [\"true\"], "
        do {
            _ = try JSONDecoder().decode(TaskSpec.self, from: Data("{\(command)\"\(c.field)\": \(json)}".utf8))
            Issue.record("accepted \(c.field): \(json)")
        } catch let e as CoreError {
            #expect(e.message == c.message)
            #expect(e.field?.hasPrefix(c.field) == true, "\(e)")
        }
    }

    @Test(arguments: cases.filter { (WorkflowReader.Session.resourceKeys + WorkflowReader.Session.settingsKeys).contains($0.field) }) func workflow(_ c: Case) {
        let resourceKeys = WorkflowReader.Session.resourceKeys
        let line = resourceKeys.contains(c.field) ? "resources: {\(c.field): \(c.yaml)}" : "\(c.field): \(c.yaml)"
        let text = "version: 1\nstages:\n  s:\n    motif: ensemble\n    command: [\"true\"]\n    \(line)\n"
        do {
            _ = try WorkflowReader().read(yaml: text, file: "wf.yaml")
            Issue.record("accepted \(c.field): \(c.yaml)")
        } catch {
            #expect(error.message == c.message)
            #expect(error.file == "wf.yaml")
            #expect(error.line == 6, "\(error)")
            #expect(error.field?.hasSuffix(c.field) == true, "\(error)")
        }
    }
}
