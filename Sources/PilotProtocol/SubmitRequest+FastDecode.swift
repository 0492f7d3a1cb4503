import Foundation
import PilotCore

/// Submit bodies of plain task lists read without Foundation's coders: the key check through
/// `JSONSerialization` and the decode through `JSONDecoder` (which tries each value type in turn
/// for every field) were most of the API's CPU per quantum task. Any body this reader is not sure
/// to read exactly as they would (an array task, estimates, an unknown key, an error of any kind)
/// goes the Decodable way instead.
extension SubmitRequest {
    /// Lists and objects deeper than a task's field values ever nest go the Decodable way.
    static let fastNesting = 8

    public static func decodeFast(_ data: Data) -> SubmitRequest? {
        guard JSONNode.nestingViolation(data, maxDepth: fastNesting) == nil,
              case .object(let top)? = try? JSONNode.parse(data) else { return nil }
        var r = SubmitRequest()
        var specs: [TaskSpec] = []
        for (key, node) in top {
            switch (key, node) {
            case (_, .null): continue
            case ("v", _):
                guard case .integer(let i)? = TaskFieldValue(node) else { return nil }
                r.v = i
            case ("workflow", _), ("workload", _):
                guard case .integer(let i)? = TaskFieldValue(node) else { return nil }
                if key == "workflow" { r.workflow = Int64(i) } else { r.workload = Int64(i) }
            case ("tasks", .array(let items)):
                specs.reserveCapacity(items.count)
                for item in items {
                    guard case .object(let fields) = item, fields["array"] == nil, let spec = TaskSpec(fields: fields) else { return nil }
                    specs.append(spec)
                }
            default: return nil
            }
        }
        r.tasks = specs
        return r
    }
}
