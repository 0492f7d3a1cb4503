import Foundation

/// Finds the Slurm configuration the way libslurm 22.05's `slurm_init(NULL)`
/// does (read_config.c, `_establish_config_source`): `SLURM_CONF`, then
/// /etc/slurm/slurm.conf, then /run/slurm/conf/slurm.conf (the link a configless
/// slurmd keeps to its cache), then a configuration fetched from slurmctld,
/// found through `SLURM_CONF_SERVER` or the DNS SRV record `_slurmctld._tcp`.
/// It also looks in slurmd spool directories' conf-cache, which libslurm does not.
///
/// Why check first: where every source fails, libslurm calls `fatal()`, which
/// exits the whole manager. The fetch is proven by a probe (`scontrol ping`, the
/// same libslurm code in a child process) before this process relies on it.
public struct SlurmConfigLocator: Sendable {
    public static let defaultPath = "/etc/slurm/slurm.conf"
    public static let slurmdRunLink = "/run/slurm/conf/slurm.conf"
    public static let defaultSpoolDir = "/var/spool/slurmd"

    public var environment: [String: String]
    public var isReadable: @Sendable (String) -> Bool
    /// Runs the fetch in a child; nil on success, else what it said.
    public var probeConfigServer: @Sendable ([String: String]) -> String?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                isReadable: @escaping @Sendable (String) -> Bool = { access($0, R_OK) == 0 },
                probeConfigServer: @escaping @Sendable ([String: String]) -> String? = SlurmConfigLocator.scontrolPing) {
        self.environment = environment
        self.isReadable = isReadable
        self.probeConfigServer = probeConfigServer
    }

    /// The files tried before a config server, in order, with their origin.
    public var candidateFiles: [(path: String, origin: SlurmConfigSource.Origin)] {
        var list: [(String, SlurmConfigSource.Origin)] = []
        if let conf = environment["SLURM_CONF"], !conf.isEmpty { list.append((conf, .environment)) }
        list.append((Self.defaultPath, .defaultPath))
        list.append((Self.slurmdRunLink, .slurmdCache))
        // SWIFTPILOT_SLURMD_SPOOL_DIRS: a colon list, for sites (and the local
        // cluster) whose SlurmdSpoolDir is not the default.
        let spools = (environment["SWIFTPILOT_SLURMD_SPOOL_DIRS"].map { $0.split(separator: ":").map(String.init) } ?? [])
            + [Self.defaultSpoolDir]
        for spool in spools { list.append(("\(spool)/conf-cache/slurm.conf", .slurmdCache)) }
        return list
    }

    public func locate(explicit: String? = nil) throws(SlurmError) -> SlurmConfigSource {
        if let explicit {
            guard isReadable(explicit) else {
                throw SlurmError(.configurationMissing,
                                 "no readable Slurm configuration at \(explicit) (set SLURM_CONF or start the cluster with JobScripts/local-slurm.sh start)",
                                 cause: String(cString: strerror(errno)))
            }
            return .file(path: explicit, origin: .given)
        }
        var tried: [String] = []
        for (path, origin) in candidateFiles {
            if isReadable(path) { return .file(path: path, origin: origin) }
            tried.append("\(path) (\(origin.rawValue)): not readable")
        }
        let server = environment["SLURM_CONF_SERVER"].flatMap { $0.isEmpty ? nil : $0 }
        var probeEnvironment = environment
        // The probe must take the same road slurm_init(NULL) will: no SLURM_CONF.
        probeEnvironment.removeValue(forKey: "SLURM_CONF")
        if let failure = probeConfigServer(probeEnvironment) {
            tried.append((server.map { "SLURM_CONF_SERVER=\($0)" } ?? "DNS SRV _slurmctld._tcp") + ": \(failure)")
            throw SlurmError(.configurationMissing,
                             "no Slurm configuration found; tried: " + tried.joined(separator: "; "),
                             cause: failure)
        }
        return .configServer(server)
    }

    /// `scontrol ping` with `environment`: it resolves the configuration exactly
    /// as libslurm will here and then asks slurmctld, so success proves both.
    @Sendable public static func scontrolPing(environment: [String: String]) -> String? {
        let path = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map { "\($0)/scontrol" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else { return "scontrol not found on PATH to probe the config server" }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["ping"]
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return "cannot run \(path): \(error)" }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, text.contains("is UP") else {
            return text.isEmpty ? "scontrol ping exited \(process.terminationStatus)" : text
        }
        return nil
    }
}
