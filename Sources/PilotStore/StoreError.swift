/// Store failures: the database could not be opened, migrated, read or written.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable { case open, migrate, write, read, corrupt }
    public var code: Code
    public var message: String
    public var cause: (any Error)?
    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) { self.code = code; self.message = message; self.cause = cause }
    public var description: String { cause.map { "\(message): \($0)" } ?? message }
}
