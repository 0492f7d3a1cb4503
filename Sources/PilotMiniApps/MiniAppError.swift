import PilotQuantum

/// The one error type of the mini-apps: a stable code, a message for people, and the failure
/// underneath (a `QuantumError` from the simulator, a decoding error from a result) when there is one.
public struct MiniAppError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        case invalidParameter = "invalid_parameter"
        case simulation
        case badResult = "bad_result"
        case taskFailed = "task_failed"
        case launch
        case io
    }

    public var code: Code
    public var message: String
    /// Dotted parameter name when a parameter was wrong (`params.qubits`).
    public var field: String?
    public var cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, field: String? = nil, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.field = field
        self.cause = cause
    }

    public var description: String {
        var text = field.map { "\($0): \(message)" } ?? message
        if let cause { text += " (cause: \(cause))" }
        return text
    }

    /// Wraps a simulator failure so callers only handle one error type.
    static func simulation(_ error: QuantumError, _ context: String) -> MiniAppError {
        MiniAppError(.simulation, "\(context): \(error.message)", cause: error)
    }
}
