import CSlurm
import Foundation

/// Process-wide libslurm state. `slurm_init` is neither idempotent-safe nor
/// thread-safe and `exit()`s when it finds no configuration, so it is called
/// at most once, under a lock, and only after the config file proved readable.
enum SlurmLibrary {
    static let defaultConfigPath = "/etc/slurm/slurm.conf"

    private static let lock = NSLock()
    // Guarded by `lock`.
    nonisolated(unsafe) private static var initializedWith: String?

    /// The slurm.conf libslurm will read: `explicitPath`, else `SLURM_CONF`, else the default.
    static func configPath(explicit: String?) -> String {
        if let explicit { return explicit }
        if let env = ProcessInfo.processInfo.environment["SLURM_CONF"], !env.isEmpty { return env }
        return defaultConfigPath
    }

    static func ensureInitialized(configPath path: String) throws(SlurmError) {
        lock.lock()
        defer { lock.unlock() }
        // Checked even when already initialised, so a wrong path always gets the same answer.
        guard access(path, R_OK) == 0 else {
            let reason = String(cString: strerror(errno))
            throw SlurmError(.configurationMissing,
                             "no readable Slurm configuration at \(path) (set SLURM_CONF or start the cluster with JobScripts/local-slurm.sh start)",
                             cause: reason)
        }
        if let current = initializedWith {
            guard current == path else {
                throw SlurmError(.configurationConflict,
                                 "libslurm is already initialised with \(current); cannot switch to \(path) in this process")
            }
            return
        }
        slurm_init(path)
        initializedWith = path
    }

    /// Serialises libslurm RPCs; the library keeps per-process state (errno,
    /// config pointers) that is not safe to share between concurrent calls.
    static func withLock<T>(_ body: () throws(SlurmError) -> T) throws(SlurmError) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    static func lastError() -> (errno: Int32, text: String) {
        let code = slurm_get_errno()
        let text = slurm_strerror(code).map { String(cString: $0) } ?? "unknown error"
        return (code, text)
    }
}
