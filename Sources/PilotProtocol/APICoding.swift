import Foundation
import NIOCore
import NIOFoundationCompat
import PilotCore

/// The client API's JSON: snake_case keys both ways, and request bodies checked against the keys
/// their type declares, so a misspelt or camelCase key is a 400 naming it (with the nearest known
/// key) rather than a setting silently dropped. Dictionary keys (environment names, state counts)
/// are data and pass through unchanged.
public enum APICoding {
    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.keyEncodingStrategy = .custom { path in AnyCodingKey(stringValue: CodingPath.snake(path.last!.stringValue)) }
        return e
    }

    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .custom { path in AnyCodingKey(stringValue: CodingPath.camel(path.last!.stringValue)) }
        return d
    }

    /// Decodes a request body after checking its keys against `T.keys`.
    public static func decodeRequest<T: APIRequestBody>(_ type: T.Type, from data: Data) throws -> T {
        if let fast = T.decodeFast(data) { return fast }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) } catch {
            throw APIErrorBody(code: "bad_request", message: "the body is not valid JSON")
        }
        try T.keys.check(object, path: "")
        return try decoder().decode(type, from: data)
    }
}

/// The keys a request body may hold, as a tree.
public indirect enum APIKeys: Sendable {
    case object([String: APIKeys])
    case list(APIKeys)
    /// A value whose keys are data (maps) or that is a scalar.
    case value
    /// A task object: the task-field table's keys.
    case task

    static let taskExtras = ["kind", "payload", "array_index", "array", "after"]

    func check(_ value: Any, path: String) throws {
        func at(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
        switch self {
        case .value: return
        case .list(let element):
            guard let a = value as? [Any] else { return }
            for (i, x) in a.enumerated() { try element.check(x, path: "\(path)[\(i)]") }
        case .object(let known):
            guard let o = value as? [String: Any] else { return }
            for k in o.keys.sorted() {
                guard let sub = known[k] else {
                    throw APIErrorBody(code: "bad_request", message: "unknown key '\(k)'" + Suggestion.hint(for: k, in: known.keys), field: at(k))
                }
                try sub.check(o[k]!, path: at(k))
            }
        case .task:
            guard let o = value as? [String: Any] else { return }
            let known = TaskField.names + Self.taskExtras
            for k in o.keys.sorted() where !known.contains(k) {
                throw APIErrorBody(code: "bad_request", message: "unknown key '\(k)'" + Suggestion.hint(for: k, in: known), field: at(k))
            }
        }
    }
}

/// A body a client may send: its type declares the keys it reads.
public protocol APIRequestBody: Decodable {
    static var keys: APIKeys { get }
    /// The body read without Foundation's coders, or nil to read it through them (and their errors).
    static func decodeFast(_ data: Data) -> Self?
}

extension APIRequestBody {
    public static func decodeFast(_ data: Data) -> Self? { nil }
}

extension SubmitRequest: APIRequestBody {
    public static let keys = APIKeys.object(["v": .value, "tasks": .list(.task), "workflow": .value, "workload": .value])
}
extension CancelRequest: APIRequestBody { public static let keys = APIKeys.object(["ids": .value]) }
extension ResubmitRequest: APIRequestBody { public static let keys = APIKeys.object(["state": .value, "workflow": .value, "ids": .value]) }
extension WorkflowSubmitRequest: APIRequestBody {
    public static let keys = APIKeys.object(["yaml": .value, "file": .value, "dir": .value])
}
extension PilotOverrides {
    static let keys = APIKeys.object(["nodes": .value, "walltime": .value, "partition": .value, "account": .value, "qos": .value,
                                      "constraint": .value, "gpus_per_node": .value])
}
extension PilotSubmitRequest: APIRequestBody {
    public static let keys = APIKeys.object(["v": .value, "profile": .value, "overrides": PilotOverrides.keys, "dry_run": .value])
}
extension AllocQueueRequest: APIRequestBody {
    public static let keys = APIKeys.object(["v": .value, "profile": .value, "overrides": PilotOverrides.keys, "max_pilots": .value,
                                             "min_pilots": .value, "backlog": .value, "idle_timeout": .value, "max_failures": .value])
}
extension PilotDrainRequest: APIRequestBody {
    public static let keys = APIKeys.object(["v": .value, "deadline": .value, "reason": .value])
}

extension TokenRotateRequest: APIRequestBody {
    public static let keys = APIKeys.object(["v": .value, "grace": .value])
}
