/// Errors of the performance model and the cutting optimizer.
public struct DreamerError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        /// No device can hold the circuit, cut or not.
        case noPlan = "no_plan"
        /// Plans exist, but none meets the shot/overhead budget or the error target.
        case budgetUnmet = "budget_unmet"
        case invalidArgument = "invalid_argument"
        /// The journal or store could not be read for calibration.
        case calibration
    }

    public var code: Code
    public var message: String
    public var cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        cause.map { "\(message) (cause: \($0))" } ?? message
    }
}
