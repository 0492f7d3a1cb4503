import Foundation

/// The exclusive claim of one manager on a server directory, held for as long as this object lives
/// (the manager process's life).
///
/// `flock` on `manager.lock` in the directory, taken before the store is opened: two managers on
/// one directory would both bind and launch the same queued tasks. The kernel drops the lock with
/// the last descriptor of its open file, so a manager killed with -9 leaves nothing stale behind,
/// and of two managers restarted at once exactly one gets it. The holder's pid is written into the
/// file so the one refused can name it.
public final class ServerDirectoryLock: Sendable {
    public static let fileName = "manager.lock"
    public let path: String
    private let fd: Int32

    public init(directory: String) throws(ServerLockError) {
        path = directory + "/" + Self.fileName
        // CLOEXEC: a child that inherited the descriptor would keep the directory locked after us.
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw ServerLockError(.io, "cannot open \(path)", errno: errno) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let e = errno
            let holder = e == EWOULDBLOCK ? Self.awaitLiveHolder(fd) : nil
            close(fd)
            guard e == EWOULDBLOCK else { throw ServerLockError(.io, "cannot lock \(path)", errno: e) }
            let who = holder.map { "pid \($0)" } ?? "a process that has not written its pid yet"
            throw ServerLockError(.busy, "another manager (\(who)) already runs for \(directory) (it holds \(path))", errno: 0, holder: holder)
        }
        // One pwrite of a fixed width replaces the old pid in place: truncating first would open a
        // window in which a refused manager reads an empty file.
        let text = String(getpid()).padding(toLength: 11, withPad: " ", startingAt: 0) + "\n"
        guard pwrite(fd, text, text.utf8.count, 0) == text.utf8.count, ftruncate(fd, off_t(text.utf8.count)) == 0 else {
            let e = errno
            close(fd)
            throw ServerLockError(.io, "cannot write the lock holder's pid to \(path)", errno: e)
        }
        self.fd = fd
    }

    deinit { close(fd) }

    /// The pid in a lock file, read without taking the lock.
    public static func holder(in directory: String) -> Int32? {
        let fd = open(directory + "/" + fileName, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return readHolder(fd)
    }

    /// The holder's pid once it is there. The winner of a race writes its pid just after taking the
    /// lock, so for a moment the file can still be empty or name a manager that was killed; poll
    /// for a live pid a bounded while rather than blame the dead one.
    private static func awaitLiveHolder(_ fd: Int32) -> Int32? {
        var last: Int32?
        for _ in 0..<200 {
            last = readHolder(fd)
            if let pid = last, pid > 0, kill(pid, 0) == 0 || errno == EPERM { return pid }
            usleep(10_000)
        }
        return last
    }

    private static func readHolder(_ fd: Int32) -> Int32? {
        var buf = [UInt8](repeating: 0, count: 32)
        let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        return Int32(String(decoding: buf[..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// Why a manager could not claim its server directory.
public struct ServerLockError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable { case busy, io }
    public var code: Code
    public var message: String
    public var errno: Int32
    /// The pid of the manager that holds the directory, when known.
    public var holder: Int32?
    public init(_ code: Code, _ message: String, errno: Int32, holder: Int32? = nil) {
        self.code = code; self.message = message; self.errno = errno; self.holder = holder
    }
    public var description: String {
        errno == 0 ? message : "\(message): \(String(cString: strerror(errno))) (errno \(errno))"
    }
}
