import Dispatch

/// Splits `0..<total` into `threads` contiguous chunks. Chunking never changes what is computed
/// for an index, so results are bit-identical for any thread count.
struct ParallelLoop: Sendable {
    let threads: Int

    /// Below this many work items a single thread wins: the dispatch overhead dominates.
    static let minimumParallelWork = 1 << 14

    @inline(__always)
    func run(_ total: Int, minimumWork: Int = ParallelLoop.minimumParallelWork, _ body: (Int, Int) -> Void) {
        if threads <= 1 || total < max(2, minimumWork) {
            body(0, total)
            return
        }
        let chunks = threads
        withoutActuallyEscaping(body) { body in
            let box = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                box.value(total * chunk / chunks, total * (chunk + 1) / chunks)
            }
        }
    }
}
