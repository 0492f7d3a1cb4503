import Foundation
import PilotLaunch
import Synchronization

/// The per-task output cap. A task's stdout and stderr go straight to files (no copy through the
/// agent, which would cost every task a pipe and a thread's attention), so the cap is enforced by
/// looking: once a second, on its own queue, the files of running tasks are measured, and a task
/// past the cap is killed. It can overshoot by what it writes in one interval; after it exits, the
/// file is cut back to the cap and ends with a line that says so, and the attempt fails with the
/// reason.
final class OutputWatch: Sendable {
    struct Watched: Sendable {
        var paths: [String]
        var exceeded: String?
    }

    let limit: Int64
    let interval: Double
    private let watched = Mutex<[UInt64: Watched]>([:])
    private let queue = DispatchQueue(label: "pilot.output-watch")
    /// Resumed in init and cancelled in deinit, never touched otherwise.
    nonisolated(unsafe) private let timer: any DispatchSourceTimer

    /// `kill` is called on the watch's queue with the token of a task over the cap.
    init(limit: Int64, interval: Double = 1, kill: @escaping @Sendable (UInt64) -> Void) {
        self.limit = limit
        self.interval = interval
        timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(100))
        timer.setEventHandler { [weak self] in self?.measure(kill) }
        timer.resume()
    }

    deinit { timer.cancel() }

    /// On the watch's queue.
    private func measure(_ kill: (UInt64) -> Void) {
        let snapshot = watched.withLock { w in w.filter { $0.value.exceeded == nil }.mapValues(\.paths) }
        for (token, paths) in snapshot {
            for path in paths {
                var st = stat()
                guard stat(path, &st) == 0, Int64(st.st_size) > limit else { continue }
                let why = "\((path as NSString).lastPathComponent) reached \(st.st_size) bytes, over the per-task output limit of \(limit) bytes; the task was killed"
                watched.withLock { $0[token]?.exceeded = why }
                kill(token)
                break
            }
        }
    }

    func watch(token: UInt64, paths: [String]) {
        guard limit > 0, !paths.isEmpty else { return }
        watched.withLock { $0[token] = Watched(paths: Array(Set(paths))) }
    }

    func forget(token: UInt64) {
        _ = watched.withLock { $0.removeValue(forKey: token) }
    }

    /// For exited tasks, off the event loop: cuts the logs of those that went over the cap and
    /// returns why each was killed.
    func finish(_ tokens: [UInt64]) -> [UInt64: String] {
        let ended = watched.withLock { w in tokens.compactMap { t in w.removeValue(forKey: t).map { (t, $0) } } }
        var out: [UInt64: String] = [:]
        for (token, w) in ended {
            guard let why = w.exceeded else { continue }
            out[token] = why
            for path in w.paths {
                var st = stat()
                guard stat(path, &st) == 0, Int64(st.st_size) > limit else { continue }
                // O_NOFOLLOW: the task may have replaced its log with a link meanwhile.
                let fd = open(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
                guard fd >= 0 else { continue }
                if fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG, ftruncate(fd, off_t(limit)) == 0 {
                    let note = "\n[pilot: output cut at \(limit) bytes: \(why)]\n"
                    _ = note.withCString { pwrite(fd, $0, strlen($0), off_t(limit)) }
                }
                close(fd)
            }
        }
        return out
    }
}
