import PilotProtocol

/// Errors the manager reports to clients and agents; each maps to an HTTP status.
public struct ManagerError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case badRequest = "bad_request"
        case unauthorized
        case notFound = "not_found"
        case unsatisfiable
        case tooLarge = "too_large"
        case unavailable
        case `internal`
    }
    public var code: Code
    public var message: String
    public var field: String?
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, field: String? = nil, cause: (any Error)? = nil) {
        self.code = code; self.message = message; self.field = field; self.cause = cause
    }

    public var description: String { field.map { "\($0): \(message)" } ?? message }
    public var body: APIErrorBody { APIErrorBody(code: code.rawValue, message: message, field: field) }
    public var status: Int {
        switch code {
        case .badRequest, .unsatisfiable: 400
        case .unauthorized: 401
        case .notFound: 404
        case .tooLarge: 413
        case .unavailable: 503
        case .internal: 500
        }
    }
}
