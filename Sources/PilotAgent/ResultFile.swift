import Foundation
import PilotCore

/// A task's `$PILOT_RESULT_FILE`, read once the task has exited.
///
/// The task chooses what sits at that path, so it is opened as hostile input: without following
/// a link (`O_NOFOLLOW`), without blocking (`O_NONBLOCK`: a FIFO with no writer would otherwise
/// block `open` forever), accepted only when `fstat` says it is a regular file, and read up to a
/// limit. It is read on the launcher's reaper thread, never on the thread that serves the manager.
enum ResultFile {
    enum Outcome: Sendable, Equatable {
        /// The task left nothing at the path.
        case none
        /// Valid JSON, as text.
        case json(String)
        /// Left something that is not a result; the reason says what.
        case refused(String)
    }

    /// Reads `name` relative to the open directory `dirFD`, then removes whatever was there.
    static func take(dirFD: Int32, name: String, limit: Int = InputLimits.maxResultBytes) -> Outcome {
        let fd = openat(dirFD, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        // Nothing at the path (most tasks) leaves nothing to remove: one system call fewer per task.
        if fd < 0, errno == ENOENT { return .none }
        defer { unlinkat(dirFD, name, 0) }
        if fd < 0 {
            let e = errno
            switch e {
            case ELOOP: return .refused("result file is a symbolic link (not followed)")
            default: return .refused("cannot open result file: \(String(cString: strerror(e)))")
            }
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .refused("cannot stat result file: \(String(cString: strerror(errno)))") }
        guard st.st_mode & S_IFMT == S_IFREG else {
            return .refused("result file is not a regular file (\(kindName(st.st_mode)))")
        }
        guard st.st_size <= limit else {
            return .refused("result file has \(st.st_size) bytes, over the limit of \(limit)")
        }
        // The size may grow between fstat and read (a daemon still writing): read one byte past
        // the limit to notice, never more.
        var data = [UInt8](repeating: 0, count: Int(st.st_size) + 1)
        var used = 0
        while used < data.count {
            let n = data.withUnsafeMutableBytes { read(fd, $0.baseAddress! + used, $0.count - used) }
            if n < 0 {
                if errno == EINTR { continue }
                return .refused("cannot read result file: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            used += n
            if used > limit { return .refused("result file grew over the limit of \(limit) bytes while read") }
            if used == data.count, data.count <= limit { data.append(contentsOf: [UInt8](repeating: 0, count: min(4096, limit + 1 - data.count))) }
        }
        guard used > 0 else { return .none }
        let bytes = Data(data[..<used])
        do {
            _ = try JSONSerialization.jsonObject(with: bytes, options: [.fragmentsAllowed])
        } catch {
            return .refused("result file is not valid JSON (\(used) bytes)")
        }
        guard let text = String(data: bytes, encoding: .utf8) else { return .refused("result file is not UTF-8") }
        return .json(text)
    }

    private static func kindName(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: "a FIFO"
        case S_IFDIR: "a directory"
        case S_IFSOCK: "a socket"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        default: "mode \(String(mode, radix: 8))"
        }
    }
}
