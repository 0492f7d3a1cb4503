/// Every failure crossing the libslurm boundary. Carries Slurm's own errno and
/// `slurm_strerror` text because those are what an operator searches for.
public struct SlurmError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// No readable slurm.conf: calling `slurm_init` now would `exit()` the process.
        case configurationMissing
        /// libslurm was already initialised with a different slurm.conf.
        case configurationConflict
        case invalidRequest
        case submitFailed
        case queryFailed
        case cancelFailed
        case invalidHostlist
        case controllerUnreachable
        case unknownJob
    }

    public let code: Code
    public let message: String
    /// `slurm_get_errno()` at the time of failure, if a libslurm call failed.
    public let slurmErrno: Int32?
    /// `slurm_strerror(slurmErrno)`.
    public let slurmErrorText: String?
    /// Underlying error when this one wraps another (e.g. an I/O error).
    public let cause: String?

    public init(_ code: Code, _ message: String, slurmErrno: Int32? = nil, slurmErrorText: String? = nil,
                cause: String? = nil) {
        self.code = code
        self.message = message
        self.slurmErrno = slurmErrno
        self.slurmErrorText = slurmErrorText
        self.cause = cause
    }

    public var description: String {
        var text = "SlurmError.\(code.rawValue): \(message)"
        if let slurmErrno {
            text += " (slurm errno \(slurmErrno)"
            if let slurmErrorText { text += ": \(slurmErrorText)" }
            text += ")"
        }
        if let cause { text += "; cause: \(cause)" }
        return text
    }
}
