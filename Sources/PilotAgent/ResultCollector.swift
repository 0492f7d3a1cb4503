import Foundation
import Synchronization

/// Which launcher token leaves its result under which name, readable from the reaper threads.
///
/// The launcher reports exits on its reaper threads; the collector reads the exited tasks' result
/// files there, before the batch hops to the agent's event loop, so no task's file (a FIFO, a
/// file on a hung mount) can stall the thread that serves the manager connection.
final class ResultCollector: Sendable {
    /// The log directory, open for the agent's life: names are opened relative to it.
    let dirFD: Int32
    private let names = Mutex<[UInt64: String]>([:])

    init(directory: String) {
        dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    }

    deinit { if dirFD >= 0 { close(dirFD) } }

    func expect(token: UInt64, name: String) {
        names.withLock { $0[token] = name }
    }

    func forget(token: UInt64) {
        _ = names.withLock { $0.removeValue(forKey: token) }
    }

    /// Takes the result files of the given exited tokens; call off the event loop.
    func collect(_ tokens: [UInt64]) -> [UInt64: ResultFile.Outcome] {
        let found: [(UInt64, String)] = names.withLock { names in tokens.compactMap { t in names.removeValue(forKey: t).map { (t, $0) } } }
        guard dirFD >= 0 else { return [:] }
        var out: [UInt64: ResultFile.Outcome] = [:]
        for (token, name) in found {
            let r = ResultFile.take(dirFD: dirFD, name: name)
            if r != .none { out[token] = r }
        }
        return out
    }
}
