import Foundation
import PilotCore
@testable import PilotWorkflow

enum TestSupport {
    static var fixtures: URL { Bundle.module.resourceURL!.appendingPathComponent("Fixtures") }

    static func text(_ relative: String) throws -> String {
        try String(contentsOf: fixtures.appendingPathComponent(relative), encoding: .utf8)
    }

    static func load(_ relative: String) throws -> Workflow {
        try Workflow.parse(yaml: try text(relative), file: relative)
    }

    static func files(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fixtures.appendingPathComponent(folder).path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { folder + "/" + $0 }
    }

    static let context = WorkflowContext(id: "wf-1", dir: "/runs/wf-1", seed: 42)

    /// Reads YAML given inline, for tests that need no fixture.
    static func parse(_ yaml: String) throws(WorkflowError) -> Workflow {
        try Workflow.parse(yaml: yaml, file: "inline.yaml")
    }

    static func error(_ yaml: String) -> WorkflowError? {
        do { _ = try parse(yaml); return nil } catch { return error }
    }
}

/// `# expect: code=… line=… field=… message=…` from a bad fixture's first line.
struct Expectation {
    var code: String
    var line: Int?
    var field: String?
    var message: String

    init(firstLine: String) throws {
        guard firstLine.hasPrefix("# expect: ") else { throw ExpectationError.missing }
        var rest = Substring(firstLine.dropFirst("# expect: ".count))
        var values: [String: String] = [:]
        for key in ["code", "line", "field"] {
            guard rest.hasPrefix(key + "="), let space = rest.firstIndex(of: " ") else { throw ExpectationError.malformed(key) }
            values[key] = String(rest[rest.index(rest.startIndex, offsetBy: key.count + 1)..<space])
            rest = rest[rest.index(after: space)...]
        }
        guard rest.hasPrefix("message=") else { throw ExpectationError.malformed("message") }
        code = values["code"]!
        line = Int(values["line"]!)
        field = values["field"] == "-" ? nil : values["field"]
        message = String(rest.dropFirst("message=".count))
    }

    enum ExpectationError: Error { case missing, malformed(String) }
}
