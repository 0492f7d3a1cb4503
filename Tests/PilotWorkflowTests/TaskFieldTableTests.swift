import Foundation
import PilotCore
@testable import PilotWorkflow
import Testing

/// One row per task field: the same value spelled as a flag, a tasks-file key, a workflow key and
/// a JSON key must give the same `TaskSpec`, and the same wrong value the same message.
@Suite struct TaskFieldTableTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var field: String
        /// As the command line gives it.
        var cli: TaskFieldValue
        /// As YAML (after `key: `) and JSON (after `"key": `) write it.
        var yaml: String
        var json: String
        /// Whether a workflow stage takes the field (array, nodes and the like belong to motifs).
        var inWorkflow: Bool
        var wrongYAML: String
        var check: @Sendable (TaskSpec) -> Bool
        var testDescription: String { field }
    }

    static let rows: [Row] = [
        Row(field: "cores", cli: .text("4"), yaml: "4", json: "4", inWorkflow: true, wrongYAML: "four") { $0.request.coresPerRank == 4 },
        Row(field: "gpus", cli: .text("2"), yaml: "2", json: "2", inWorkflow: true, wrongYAML: "-1") { $0.request.gpusPerRank == 2 },
        Row(field: "mem", cli: .text("2048"), yaml: "2048", json: "2048", inWorkflow: true, wrongYAML: "2X") { $0.request.memoryBytes == 2 << 30 },
        Row(field: "qpu", cli: .text("ideal-sim:2"), yaml: "ideal-sim:2", json: "\"ideal-sim:2\"", inWorkflow: true, wrongYAML: "dev:x") {
            $0.request.qpu == QPUSelector(device: "ideal-sim", count: 2)
        },
        Row(field: "custom", cli: .list(["license=2"]), yaml: "{license: 2}", json: "{\"license\": 2}", inWorkflow: true, wrongYAML: "{license: many}") {
            $0.request.custom == [.init(name: "license", amount: 2)]
        },
        Row(field: "pilot", cli: .text("p-42"), yaml: "p-42", json: "\"p-42\"", inWorkflow: false, wrongYAML: "[a]") {
            $0.request.pilot == "p-42"
        },
        Row(field: "time", cli: .text("10"), yaml: "10", json: "10", inWorkflow: true, wrongYAML: "10x") { $0.timeRequest == 600 },
        Row(field: "time_limit", cli: .text("1:30:00"), yaml: "1:30:00", json: "\"1:30:00\"", inWorkflow: true, wrongYAML: "soon") { $0.timeLimit == 5400 },
        Row(field: "priority", cli: .text("7"), yaml: "7", json: "7", inWorkflow: true, wrongYAML: "2000000") { $0.priority == 7 },
        Row(field: "retries", cli: .text("2"), yaml: "2", json: "2", inWorkflow: true, wrongYAML: "-3") { $0.retries == 2 },
        Row(field: "crash_limit", cli: .text("5"), yaml: "5", json: "5", inWorkflow: false, wrongYAML: "0") { $0.crashLimit == 5 },
        Row(field: "nodes", cli: .text("2"), yaml: "2", json: "2", inWorkflow: false, wrongYAML: "0") { $0.request.nodes == 2 },
        Row(field: "ranks_per_node", cli: .text("4"), yaml: "4", json: "4", inWorkflow: false, wrongYAML: "x") { $0.request.ranksPerNode == 4 },
        Row(field: "env", cli: .list(["MY_VAR=1"]), yaml: "{MY_VAR: \"1\"}", json: "{\"MY_VAR\": \"1\"}", inWorkflow: true, wrongYAML: "[a]") {
            $0.environment == ["MY_VAR": "1"]
        },
        Row(field: "cwd", cli: .text("/tmp"), yaml: "/tmp", json: "\"/tmp\"", inWorkflow: true, wrongYAML: "[a]") { $0.workingDirectory == "/tmp" },
        Row(field: "capture_output", cli: .bool(false), yaml: "false", json: "false", inWorkflow: true, wrongYAML: "maybe") { !$0.captureOutput },
        Row(field: "name", cli: .text("job"), yaml: "job", json: "\"job\"", inWorkflow: false, wrongYAML: "[a]") { $0.name == "job" },
    ]

    /// The spec from the command line's form.
    static func fromCLI(_ r: Row) throws -> TaskSpec {
        var d = TaskDraft()
        d.spec.command = ["true"]
        try d.set(r.field, r.cli, path: TaskField.named(r.field)!.flag)
        return try d.build()
    }

    static func fromTasksFile(_ field: String, _ yaml: String) throws -> TaskSpec {
        try TaskFile.parse("tasks:\n  - command: [\"true\"]\n    \(field): \(yaml)\n", file: "t.yaml").submissions[0].spec
    }

    static func fromJSON(_ field: String, _ json: String) throws -> TaskSpec {
        try JSONDecoder().decode(TaskSpec.self, from: Data("{\"command\": [\"true\"], \"\(field)\": \(json)}".utf8))
    }

    static func fromWorkflow(_ field: String, _ yaml: String) throws -> TaskSpec {
        let resourceKeys = WorkflowReader.Session.resourceKeys
        let line = resourceKeys.contains(field) ? "resources: {\(field): \(yaml)}" : "\(field): \(yaml)"
        let wf = try WorkflowReader().read(yaml: "version: 1\nstages:\n  s:\n    motif: ensemble\n    command: [\"true\"]\n    \(line)\n")
        return wf.stages[0].settings.taskSpec(command: [Template(literal: "true")], context: WorkflowReader.Session.probe, bindings: .init(stage: "s"))
    }

    @Test(arguments: rows) func everyFormatGivesTheSameSpec(_ r: Row) throws {
        let cli = try Self.fromCLI(r)
        #expect(r.check(cli), "the flag \(TaskField.named(r.field)!.flag) gave \(cli)")
        let file = try Self.fromTasksFile(r.field, r.yaml)
        #expect(file == cli, "tasks file")
        let json = try Self.fromJSON(r.field, r.json)
        #expect(json == cli, "JSON")
        // The JSON a spec encodes to reads back as the same spec.
        let again = try JSONDecoder().decode(TaskSpec.self, from: JSONEncoder().encode(cli))
        #expect(again == cli, "encode/decode round trip")
        if r.inWorkflow {
            let wf = try Self.fromWorkflow(r.field, r.yaml)
            #expect(r.check(wf), "workflow stage gave \(wf)")
        }
    }

    @Test(arguments: rows) func aWrongValueGetsTheSameMessageEverywhere(_ r: Row) throws {
        func message(_ body: () throws -> TaskSpec) -> String? {
            do { _ = try body(); return nil } catch let e as CoreError { return e.message } catch let e as TaskFileError { return e.reason }
            catch let e as WorkflowError { return e.message } catch { return "\(error)" }
        }
        let fromFile = message { try Self.fromTasksFile(r.field, r.wrongYAML) }
        #expect(fromFile != nil, "tasks file accepted \(r.field): \(r.wrongYAML)")
        if case .list = r.cli {} else if !r.wrongYAML.hasPrefix("[") && !r.wrongYAML.hasPrefix("{") {
            var d = TaskDraft()
            let cli = message { try d.set(r.field, .text(r.wrongYAML)); d.spec.command = ["true"]; return try d.build() }
            #expect(cli == fromFile, "command line and tasks file disagree")
        }
        if r.inWorkflow {
            let wf = message { try Self.fromWorkflow(r.field, r.wrongYAML) }
            #expect(wf != nil, "workflow accepted \(r.field): \(r.wrongYAML)")
            if !r.wrongYAML.hasPrefix("[") && !r.wrongYAML.hasPrefix("{") && r.field != "cwd" {
                #expect(wf == fromFile, "workflow and tasks file disagree")
            }
        }
    }

    @Test func everyTableFieldIsCoveredHereOrByTheArrayTest() {
        let covered = Set(Self.rows.map(\.field)).union(["command", "array", "cores_per_rank", "gpus_per_rank", "after", "after_ok"])
        #expect(Set(TaskField.names) == covered)
    }

    @Test func bareNumbersFollowSlurm() throws {
        var d = TaskDraft()
        try d.set("time_limit", .integer(30))
        try d.set("mem", .integer(512))
        try d.set("time", .text("90s"))
        d.spec.command = ["true"]
        let s = try d.build()
        #expect(s.timeLimit == 1800)
        #expect(s.request.memoryBytes == 512 << 20)
        #expect(s.timeRequest == 90)
    }

    @Test func unknownKeysAreNamedWithTheNearestOne() {
        #expect(throws: CoreError(.invalidRequest, "unknown key 'time_limt' (did you mean 'time_limit'?)", field: "time_limt")) {
            try JSONDecoder().decode(TaskSpec.self, from: Data(#"{"command":["x"],"time_limt":"10m"}"#.utf8))
        }
        #expect(throws: TaskFileError.self) { try TaskFile.parse("tasks:\n  - command: [x]\n    coers: 2\n", file: "t.yaml") }
        do { _ = try TaskFile.parse("tasks:\n  - command: [x]\n    coers: 2\n", file: "t.yaml") } catch {
            #expect(error.description.contains("did you mean 'cores'"), "\(error)")
            #expect(error.description.contains("t.yaml:3"), "\(error)")
        }
    }

    /// What the store holds from before the field table still reads back.
    @Test func specsStoredByEarlierVersionsStillDecode() throws {
        let old = #"{"captureOutput":true,"command":["sh","-c","x"],"crashLimit":3,"environment":{"A_B":"1"},"kind":"command","priority":2,"#
            + #""request":{"coresPerRank":2,"custom":[{"amount":1,"name":"lic"}],"gpusPerRank":0,"memoryBytes":1048576,"nodes":1,"ranksPerNode":1},"#
            + #""retries":1,"timeLimit":90}"#
        let s = try JSONDecoder().decode(TaskSpec.self, from: Data(old.utf8))
        #expect(s.request.coresPerRank == 2 && s.request.memoryBytes == 1 << 20 && s.request.custom == [.init(name: "lic", amount: 1)])
        #expect(s.timeLimit == 90 && s.environment == ["A_B": "1"] && s.priority == 2 && s.retries == 1)
    }

    @Test func arrayTasksKeepTheirRange() throws {
        let f = try TaskFile.parse("tasks:\n  - command: [echo, \"{i}\"]\n    array: 1-3\n", file: "t.yaml")
        #expect(f.submissions[0].array == "1-3")
        var d = TaskDraft()
        #expect(throws: CoreError.self) { try d.set("array", .text("3-1")) }
    }
}
