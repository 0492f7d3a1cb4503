import Foundation

/// The single error type of the quantum area. `code` is stable and machine-readable; `message`
/// is for humans. Source-level problems carry the file and, where known, the line and column so a
/// user can jump straight to the offending token.
public struct QuantumError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        case qasmSyntax
        case qasmUnsupported
        case qasmSemantic
        case invalidCircuit
        case invalidArgument
        case invalidObservable
        case simulatorLimit
        case profileInvalid
        case profileIO
        case deviceMismatch
        case commandFailed
        case commandOutput
        /// QRMI's task runner could not be started or ended without a result.
        case runnerFailed
        /// QRMI's task runner wrote a result that is not a primitive result of the job.
        case runnerOutput
        case cutting
        case cancelled
        case io
    }

    public var code: Code
    public var message: String
    public var file: String?
    public var line: Int?
    public var column: Int?
    /// Dotted path of the offending field in a YAML profile (e.g. "noise.readout") or a PUB job
    /// (e.g. "pubs[2].observables[0]").
    public var field: String?
    /// The underlying failure, kept so callers can log the original system error.
    public var cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, file: String? = nil, line: Int? = nil, column: Int? = nil,
                field: String? = nil, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.cause = cause
    }

    public var description: String {
        var prefix = ""
        if let file {
            prefix = file
            if let line {
                prefix += ":\(line)"
                if let column { prefix += ":\(column)" }
            }
            prefix += ": "
        } else if let field {
            // JSON payload errors (PUB jobs) have no file: the field path locates them.
            prefix = "\(field): "
        }
        var text = "\(prefix)\(message)"
        if let cause { text += " (cause: \(cause))" }
        return text
    }
}
