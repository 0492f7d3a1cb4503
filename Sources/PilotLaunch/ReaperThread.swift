import CPilotSpawn
#if canImport(Glibc)
import Glibc
#endif

/// One reaper: an epoll set of pidfds, an eventfd to wake it, and the thread that waits on them.
///
/// Reaper 0 is the launcher's general one: it watches unpinned tasks and owns the time limits.
/// Every other reaper is bound to one CPU and watches the tasks pinned there (by their lowest CPU).
/// A task's exit then wakes a thread on the very core it frees, which is where the successor queued
/// behind it must run: it is cloned right there, with no inter-processor wake-up and no migration
/// of the new child, while that core would otherwise sit idle.
final class ReaperThread: Sendable {
    let index: Int
    /// The CPU this reaper's thread is bound to; nil for the general reaper.
    let cpu: Int?
    let epollFD: Int32
    let wakeFD: Int32

    init?(index: Int, cpu: Int?) {
        let epollFD = pilot_spawn_epoll_create()
        let wakeFD = pilot_spawn_eventfd()
        guard epollFD >= 0, wakeFD >= 0, pilot_spawn_epoll_add(epollFD, wakeFD, UInt64(wakeFD)) == 0 else {
            if epollFD >= 0 { close(epollFD) }
            if wakeFD >= 0 { close(wakeFD) }
            return nil
        }
        self.index = index
        self.cpu = cpu
        self.epollFD = epollFD
        self.wakeFD = wakeFD
    }

    func wake() {
        _ = pilot_spawn_eventfd_signal(wakeFD)
    }

    /// Starts the thread running `body`, and returns once it is named and bound to its CPU;
    /// nil if the system has no thread to give.
    func start(_ body: @escaping @Sendable (ReaperThread) -> Void) -> pthread_t? {
        final class Start: @unchecked Sendable {  // `ready` is a semaphore, posted once by the new thread
            let reaper: ReaperThread
            let body: @Sendable (ReaperThread) -> Void
            let ready = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
            init(_ reaper: ReaperThread, _ body: @escaping @Sendable (ReaperThread) -> Void) {
                self.reaper = reaper
                self.body = body
                sem_init(ready, 0, 0)
            }
            deinit {
                sem_destroy(ready)
                ready.deallocate()
            }
        }
        let start = Start(self, body)
        let retained = Unmanaged.passRetained(start)
        var thread = pthread_t()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        // A node may have hundreds of these; each needs room for a spawn (the child runs on a 32 KiB
        // slice of this stack) and the callback, far below the default 8 MiB.
        pthread_attr_setstacksize(&attributes, 512 * 1024)
        let rc = pthread_create(&thread, &attributes, { raw in
            let start = Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue()
            // Named so a profile or /proc/PID/task tells the reapers apart (15 characters at most).
            pilot_spawn_name_thread(start.reaper.cpu.map { "pilot-reap-\($0)" } ?? "pilot-reap")
            // A CPU outside the process's set (a narrower cpuset) leaves the thread unbound: it still
            // reaps correctly, it only loses the locality.
            if let cpu = start.reaper.cpu { _ = pilot_spawn_pin_thread(Int32(cpu)) }
            sem_post(start.ready)
            start.body(start.reaper)
            return nil
        }, retained.toOpaque())
        guard rc == 0 else {
            retained.release()
            return nil
        }
        while sem_wait(start.ready) != 0 && errno == EINTR {}
        return thread
    }

    func closeDescriptors() {
        close(epollFD)
        close(wakeFD)
    }
}
