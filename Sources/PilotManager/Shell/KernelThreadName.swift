import Foundation

/// Names the calling thread for the kernel. Foundation's `Thread.name` does not reach the kernel on
/// Linux, so without this `top -H`, `perf` and /proc show every manager thread under the name of
/// the dispatch thread that created it, and `pilot bench` cannot account each part's CPU apart.
enum KernelThreadName {
    /// At most 15 bytes reach the kernel; elsewhere than Linux nothing happens.
    static func set(_ name: String) {
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = String(name.utf8.prefix(15))!.withCString { write(fd, $0, strlen($0)) }
        close(fd)
    }
}
