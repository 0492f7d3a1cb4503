/// Errors of the distributed simulator: a code, a message and the underlying failure.
struct DSVError: Error, Sendable, CustomStringConvertible {
    enum Code: String, Sendable {
        case usage
        case mpi
        case circuit
        case simulation
        case io
    }

    var code: Code
    var message: String
    var cause: (any Error & Sendable)?

    init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    var description: String {
        var text = "\(code.rawValue): \(message)"
        if let cause { text += " (cause: \(cause))" }
        return text
    }
}
