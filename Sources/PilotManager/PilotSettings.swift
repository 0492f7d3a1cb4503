import Foundation
import PilotSlurm

/// How the manager submits pilots. Nothing here touches Slurm until a pilot command is used, so a
/// manager without Slurm runs fine.
public struct PilotSettings: Sendable {
    /// Where profile names resolve (`<dir>/<name>.yaml`); nil accepts only absolute paths.
    public var profileDirectory: String?
    /// The `pilot` executable the compute nodes run (default: this process's own executable).
    public var pilotBinary: String?
    /// The address compute nodes use to reach the agent port; default: the listen address, or this
    /// host's name when listening on every interface.
    public var agentHost: String?
    /// Job script template; default: `JobScriptRenderer`'s search path.
    public var templatePath: String?
    /// Seconds between polls of the Slurm states of unfinished pilots.
    public var pollInterval: Double = 1
    /// Creates the production client on first use.
    public var makeClient: @Sendable () throws(SlurmError) -> any SlurmClient = { () throws(SlurmError) in try LibSlurmClient() }
    /// The client for another cluster a profile names (`cluster:`): Slurm's commands with that
    /// cluster's `SLURM_CONF`, or `--clusters`.
    public var makeClusterClient: @Sendable (SlurmCluster) -> any SlurmClient = { CommandSlurmClient(cluster: $0) }
    /// The manager's own cluster's `ClusterName`, shown for pilots whose profile names none.
    public var defaultClusterName: String = PilotSettings.ownClusterName()

    public init() {}

    /// `ClusterName` of the slurm.conf this node's commands would read (`SLURM_CONF`, else
    /// `/etc/slurm/slurm.conf`); "default" when there is none (configless, or no Slurm at all).
    static func ownClusterName(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let path = environment["SLURM_CONF"].flatMap { $0.isEmpty ? nil : $0 } ?? "/etc/slurm/slurm.conf"
        return ClusterProfile.clusterName(inConf: path) ?? "default"
    }

    static var ownExecutable: String {
        // A rebuilt binary replaces the running one's inode; the path still names the new build.
        if let p = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return p.hasSuffix(" (deleted)") ? String(p.dropLast(" (deleted)".count)) : p
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.resolvingSymlinksInPath().path
    }
}
