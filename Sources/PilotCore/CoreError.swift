/// Errors raised by the pure core: bad requests, bad quantities, impossible transitions.
public struct CoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        case invalidQuantity = "invalid_quantity"
        case invalidRequest = "invalid_request"
        case invalidTransition = "invalid_transition"
        case unknownResource = "unknown_resource"
        case invalidWorkflow = "invalid_workflow"
    }
    public var code: Code
    public var message: String
    /// Which input field was wrong, as a dotted path, when one applies.
    public var field: String?

    public init(_ code: Code, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String {
        if let field { return "\(field): \(message)" }
        return message
    }
}
