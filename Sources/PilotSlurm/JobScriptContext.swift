/// Per-pilot values the job script needs besides the profile.
public struct JobScriptContext: Sendable, Equatable {
    /// Becomes the job name `pilot-<id>`; letters, digits, `_ . -` only.
    public var pilotID: String
    public var managerHost: String
    /// The manager's agent-facing port.
    public var managerPort: Int
    /// File holding the agent's registration token (readable on the compute nodes).
    public var tokenFile: String
    /// Absolute path of the `pilot` executable on the compute nodes.
    public var pilotBinary: String
    /// Where the job's stdout/stderr and working directory go.
    public var logDirectory: String

    public init(pilotID: String, managerHost: String, managerPort: Int, tokenFile: String, pilotBinary: String,
                logDirectory: String) {
        self.pilotID = pilotID
        self.managerHost = managerHost
        self.managerPort = managerPort
        self.tokenFile = tokenFile
        self.pilotBinary = pilotBinary
        self.logDirectory = logDirectory
    }

    public var managerAddress: String {
        managerHost.contains(":") ? "[\(managerHost)]:\(managerPort)" : "\(managerHost):\(managerPort)"
    }

    /// `%j` is expanded by Slurm to the job id.
    public var outputPath: String { "\(logDirectory)/pilot-\(pilotID)-%j.out" }

    func validate() throws(JobScriptError) {
        guard StringPattern.identifier.matches(pilotID) else {
            throw .invalidContext(field: "pilotID", reason: "'\(pilotID)' \(StringPattern.identifier.explanation)")
        }
        guard StringPattern.host.matches(managerHost) else {
            throw .invalidContext(field: "managerHost", reason: "'\(managerHost)' is not a host name or address")
        }
        guard (1...65535).contains(managerPort) else {
            throw .invalidContext(field: "managerPort", reason: "\(managerPort) is not a TCP port")
        }
        for (field, path) in [("tokenFile", tokenFile), ("pilotBinary", pilotBinary), ("logDirectory", logDirectory)] {
            guard path.hasPrefix("/") else { throw .invalidContext(field: field, reason: "'\(path)' must be absolute") }
        }
        // #SBATCH lines are not parsed by a shell, so quoting cannot protect them.
        guard !logDirectory.contains(where: { $0.isWhitespace || $0 == "%" }) else {
            throw .invalidContext(field: "logDirectory", reason: "'\(logDirectory)' must not contain spaces or '%'")
        }
    }
}
