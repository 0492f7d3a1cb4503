/// Why a manager refused to start (its server directory is taken, unwritable or damaged).
public struct ManagerStartError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var cause: (any Error)?
    public init(_ message: String, cause: (any Error)? = nil) { self.message = message; self.cause = cause }
    public var description: String { cause.map { "\(message): \($0)" } ?? message }
}
