#if canImport(Glibc)
import Glibc
#endif

/// Reads of /proc the containment needs: a process's parent, session, state and start time, and
/// the value of one variable in its initial environment.
enum ProcessTable {
    struct Stat {
        var pid: pid_t
        var state: UInt8
        var ppid: pid_t
        var session: pid_t
        /// Clock ticks after boot: with the pid, names one process for good (pids are reused).
        var startTicks: UInt64
    }

    static func stat(_ pid: pid_t) -> Stat? {
        guard let text = readSmall("/proc/\(pid)/stat", limit: 4096) else { return nil }
        // The command name is in parentheses and may hold anything, spaces and ')' included.
        guard let close = text.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = text[(close + 2)...].split(separator: UInt8(ascii: " "))
        // After the name: state(0) ppid(1) pgrp(2) session(3) ... starttime(19)
        guard fields.count > 19, let ppid = Int32(ascii: fields[1]), let session = Int32(ascii: fields[3]),
              let start = UInt64(ascii: fields[19]) else { return nil }
        return Stat(pid: pid, state: fields[0].first ?? 0, ppid: ppid, session: session, startTicks: start)
    }

    /// Every pid in /proc.
    static func pids() -> [pid_t] {
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        var out: [pid_t] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let pid = Int32(name), pid > 0 { out.append(pid) }
        }
        return out
    }

    /// The value of `name` in the environment `pid` was started with; nil when it has none, or the
    /// process is gone, a zombie, or not ours to read.
    static func environmentValue(_ pid: pid_t, _ name: String) -> String? {
        guard let env = readSmall("/proc/\(pid)/environ", limit: 1 << 20) else { return nil }
        let key = Array((name + "=").utf8)
        for entry in env.split(separator: 0) where entry.starts(with: key) {
            return String(decoding: entry.dropFirst(key.count), as: UTF8.self)
        }
        return nil
    }

    /// The orphans this process adopted as a child subreaper, with any child its main thread forked.
    /// A child belongs to the thread that forked it; the kernel hands an orphan to the subreaper's
    /// first live thread, the main one, and does so before the orphan's parent turns into a zombie.
    /// One file, however many threads fork tasks.
    static func adoptedChildren() -> [pid_t] {
        guard let text = readSmall("/proc/self/task/\(getpid())/children", limit: 1 << 20) else { return [] }
        return text.split(separator: UInt8(ascii: " ")).compactMap { Int32(ascii: $0) }
    }

    /// A whole small file (proc files report size 0, so read until EOF), at most `limit` bytes.
    static func readSmall(_ path: String, limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while out.count < limit {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            out += chunk[..<n]
        }
        return out
    }
}

extension Int32 {
    init?(ascii: some Collection<UInt8>) {
        guard let v = Int64(ascii: ascii), let x = Int32(exactly: v) else { return nil }
        self = x
    }
}

extension Int64 {
    init?(ascii: some Collection<UInt8>) {
        guard !ascii.isEmpty, ascii.count < 19 else { return nil }
        var v: Int64 = 0
        for b in ascii {
            guard b >= 48, b <= 57 else { return nil }
            v = v * 10 + Int64(b - 48)
        }
        self = v
    }
}

extension UInt64 {
    init?(ascii: some Collection<UInt8>) {
        guard let v = Int64(ascii: ascii) else { return nil }
        self = UInt64(v)
    }
}
