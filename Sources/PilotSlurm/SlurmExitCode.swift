/// Slurm stores a job's exit as a wait(2) status; `sacct` shows it as
/// "status:signal", and so does `description`.
public struct SlurmExitCode: Sendable, Equatable, Codable, CustomStringConvertible {
    public var status: Int32
    public var signal: Int32

    public init(status: Int32, signal: Int32 = 0) {
        self.status = status
        self.signal = signal
    }

    /// Decodes a raw wait status (`job_info_t.exit_code`).
    public init(waitStatus: UInt32) {
        let raw = Int32(bitPattern: waitStatus)
        let termSignal = raw & 0x7f
        if termSignal == 0 {
            self.init(status: (raw >> 8) & 0xff, signal: 0)
        } else {
            self.init(status: 0, signal: termSignal)
        }
    }

    public var succeeded: Bool { status == 0 && signal == 0 }
    public var description: String { "\(status):\(signal)" }
}
