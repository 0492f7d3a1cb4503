/// A time string Slurm would not accept.
public struct SlurmDurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var text: String
    public var reason: String
    public var description: String { "invalid Slurm time '\(text)': \(reason)" }
}
