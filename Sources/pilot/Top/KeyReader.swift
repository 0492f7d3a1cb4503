import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Reads keys from stdin on a thread of its own, so a blocking `read` never holds a thread of the
/// async pool; the frame loop looks at what arrived between frames.
final class KeyReader: Sendable {
    private let keys = Mutex<[UInt8]>([])
    private let ended = Atomic<Bool>(false)

    func start() {
        let t = Thread { [self] in
            var b: UInt8 = 0
            while read(STDIN_FILENO, &b, 1) == 1 { keys.withLock { $0.append(b) } }
            ended.store(true, ordering: .relaxed)
        }
        t.start()
    }

    /// The keys pressed since the last call.
    func take() -> [UInt8] { keys.withLock { k in defer { k.removeAll() }; return k } }

    /// stdin closed: nobody can press q any more.
    var isClosed: Bool { ended.load(ordering: .relaxed) }
}
