/// Why a report could not be built or written.
public struct ReportError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case empty, badWindow = "bad_window", badOutput = "bad_output", fetch
    }
    public var code: Code
    public var message: String
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code; self.message = message; self.cause = cause
    }

    public var description: String { message + (cause.map { ": \($0)" } ?? "") }
}
