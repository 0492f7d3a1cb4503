import CSlurm
import Foundation

/// Process-wide libslurm state. `slurm_init` is neither idempotent-safe nor
/// thread-safe and `exit()`s when it finds no configuration, so it is called
/// at most once, under a lock, and only after `SlurmConfigLocator` found a
/// source that works.
enum SlurmLibrary {
    private static let lock = NSLock()
    // Guarded by `lock`.
    nonisolated(unsafe) private static var initializedWith: SlurmConfigSource?

    /// Initialises libslurm once per process from `source` (see `SlurmConfigLocator`).
    static func ensureInitialized(_ source: SlurmConfigSource) throws(SlurmError) {
        lock.lock()
        defer { lock.unlock() }
        if let current = initializedWith {
            guard current.path == source.path else {
                throw SlurmError(.configurationConflict,
                                 "libslurm is already initialised with \(current); cannot switch to \(source) in this process")
            }
            return
        }
        // With NULL, libslurm repeats the locator's search and then fetches the
        // configuration from slurmctld (SLURM_CONF_SERVER or DNS SRV).
        slurm_init(source.path)
        initializedWith = source
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
