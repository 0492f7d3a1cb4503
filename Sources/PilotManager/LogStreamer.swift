import Foundation
import Hummingbird
import NIOCore
import NIOPosix

/// Serves a task's log file in pieces: `offset` and `length` select a byte range, `tail=N` the last
/// N bytes. The file is read in chunks on the thread pool while the response is written, so a log
/// of any size costs a chunk of memory per request, and the event loop never waits on the disk.
struct LogStreamer: Sendable {
    static let chunkBytes = 256 << 10

    struct Window: Equatable {
        var offset: Int
        var length: Int
    }

    /// The byte range to serve from a file of `size` bytes.
    static func window(size: Int, offset: Int?, length: Int?, tail: Int?) throws -> Window {
        if let tail {
            guard tail >= 0 else { throw ManagerError(.badRequest, "must be a byte count ≥ 0", field: "tail") }
            guard offset == nil else { throw ManagerError(.badRequest, "tail and offset exclude each other", field: "tail") }
            let start = max(0, size - tail)
            return Window(offset: start, length: min(size - start, length ?? Int.max))
        }
        let start = offset ?? 0
        guard start >= 0 else { throw ManagerError(.badRequest, "must be a byte offset ≥ 0", field: "offset") }
        if let length, length < 0 { throw ManagerError(.badRequest, "must be a byte count ≥ 0", field: "length") }
        let from = min(start, size)
        return Window(offset: from, length: min(size - from, length ?? Int.max))
    }

    /// Opens `path` (a regular file, links not followed) and answers with the window of it. For a
    /// task that `ended` without the file ever being made (a launcher that starts no process writes
    /// none), the log is the empty file it would have been; before the end, that is "not yet".
    static func response(path: String, stream: String, id: Int64, query: [String: String],
                         ended: Bool = false) async throws -> Response {
        func int(_ name: String) throws -> Int? {
            guard let s = query[name] else { return nil }
            guard let v = Int(s) else { throw ManagerError(.badRequest, "'\(s)' is not a byte count", field: name) }
            return v
        }
        let offset = try int("offset"), length = try int("length"), tail = try int("tail")
        let (fd, size) = try await NIOThreadPool.singleton.runIfActive { () throws -> (Int32, Int) in
            let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            if fd < 0, errno == ENOENT, ended { return (-1, 0) }
            guard fd >= 0 else { throw ManagerError(.notFound, "no \(stream) for task \(id) yet (\(path))") }
            var st = stat()
            guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
                close(fd)
                throw ManagerError(.notFound, "the \(stream) of task \(id) is not a regular file (\(path))")
            }
            return (fd, Int(st.st_size))
        }
        let w: Window
        do { w = try window(size: size, offset: offset, length: length, tail: tail) } catch { if fd >= 0 { close(fd) }; throw error }
        let file = FileDescriptorBox(fd)
        let body = ResponseBody(contentLength: w.length) { writer in
            defer { file.close() }
            var at = w.offset
            let end = w.offset + w.length
            while at < end {
                let want = min(chunkBytes, end - at)
                let from = at
                let chunk = try await NIOThreadPool.singleton.runIfActive { () -> ByteBuffer in
                    var buf = ByteBufferAllocator().buffer(capacity: want)
                    buf.writeWithUnsafeMutableBytes(minimumWritableBytes: want) { max(0, pread(file.fd, $0.baseAddress, want, off_t(from))) }
                    return buf
                }
                // The file shrank (truncated meanwhile): serve what there was.
                if chunk.readableBytes == 0 { break }
                at += chunk.readableBytes
                try await writer.write(chunk)
            }
            try await writer.finish(nil)
        }
        // Content-Range tells a client the file's size, so it can page or follow the log.
        let range = w.length > 0 ? "bytes \(w.offset)-\(w.offset + w.length - 1)/\(size)" : "bytes */\(size)"
        return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .contentRange: range], body: body)
    }
}

/// A descriptor closed once, by whoever finishes with it.
final class FileDescriptorBox: @unchecked Sendable {  // fd is set once; close is idempotent under the lock
    let fd: Int32
    private let lock = NSLock()
    private var open = true
    init(_ fd: Int32) { self.fd = fd; open = fd >= 0 }
    func close() {
        lock.lock(); defer { lock.unlock() }
        guard open else { return }
        open = false
        Foundation.close(fd)
    }
    deinit { close() }
}
