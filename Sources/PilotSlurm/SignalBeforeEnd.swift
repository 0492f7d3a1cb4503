/// `sbatch --signal=[B:|R:]SIG@SECONDS`.
public struct SignalBeforeEnd: Sendable, Equatable, Codable {
    public enum Target: String, Sendable, Equatable, Codable {
        /// All job steps but not the batch shell (sbatch's default): reaches
        /// processes started by `srun`, e.g. pilot agents.
        case steps
        /// Only the batch shell (`B:`).
        case batchShell
    }

    public var signal: Int32
    public var seconds: UInt16
    public var target: Target

    public init(signal: Int32, seconds: UInt16, target: Target = .steps) {
        self.signal = signal
        self.seconds = seconds
        self.target = target
    }

    /// The `--signal` value, e.g. "USR1@60" or "B:10@60".
    public var sbatchValue: String {
        let name = SignalBeforeEnd.names[signal] ?? String(signal)
        return (target == .batchShell ? "B:" : "") + "\(name)@\(seconds)"
    }

    static let names: [Int32: String] = [1: "HUP", 2: "INT", 10: "USR1", 12: "USR2", 15: "TERM"]
}
