import Foundation
import NIOConcurrencyHelpers
import PilotCore
import PilotStore

/// Hands committed journal records to live subscribers; what they missed before subscribing they
/// read from the store.
///
/// Publishing never waits for a subscriber: each has a bounded buffer, and one that falls behind
/// by more than it holds is cut off, told the sequence number to resume from. A subscriber has at
/// most one batch in flight: commits that land while it writes one wait in its buffer and go out
/// together when it reports the batch `consumed`. An idle subscriber gets each commit at once; a
/// busy one costs one wake-up and one write per batch it can take, not per commit. The bound
/// counts records in flight and buffered.
public final class JournalHub: Sendable {
    private struct State {
        var lastSeq: Int64
        var subscribers: [UInt64: Subscriber] = [:]
        var nextID: UInt64 = 1
        var total = 0
    }

    public struct Subscriber: Sendable {
        let filter: PilotStore.JournalFilter
        let continuation: AsyncStream<Delivery>.Continuation
        let limit: Int
        /// Records yielded and not yet `consumed`.
        var pending: Int = 0
        var lastQueued: Int64?
        /// A batch is yielded and not yet consumed; new records wait in `buffer`.
        var inFlight = false
        var buffer: [JournalRecord] = []
    }

    public enum Delivery: Sendable {
        /// The records of one commit that match the subscription, in order.
        case records([JournalRecord])
        /// The subscriber fell behind; it may resume after `resumeAfter`.
        case cutOff(resumeAfter: Int64)
        /// Nothing happened for a while: a write that finds the client gone ends its stream.
        case keepalive
    }

    private let state: NIOLockedValueBox<State>

    init(lastSeq: Int64) {
        state = NIOLockedValueBox(State(lastSeq: lastSeq))
    }

    public var lastSeq: Int64 { state.withLockedValue { $0.lastSeq } }
    public var subscriberCount: Int { state.withLockedValue { $0.subscribers.count } }
    public var published: Int { state.withLockedValue { $0.total } }

    func publish(_ records: [JournalRecord]) {
        guard !records.isEmpty else { return }
        // Ended outside the lock: finishing a stream runs its termination handler, which unsubscribes.
        let cut: [(Subscriber, Int64)] = state.withLockedValue { s in
            s.lastSeq = max(s.lastSeq, records.last!.seq)
            s.total += records.count
            var cut: [(Subscriber, Int64)] = []
            // Each subscriber is taken out of the table while it changes: a copy left in the table
            // (or a keys view being iterated) would make every append copy its whole buffer.
            for id in Array(s.subscribers.keys) {
                guard var sub = s.subscribers.removeValue(forKey: id) else { continue }
                let batch = sub.filter.isEmpty ? records : records.filter { sub.filter.matches($0) }
                guard !batch.isEmpty else { s.subscribers[id] = sub; continue }
                var overflow = sub.pending + sub.buffer.count + batch.count > sub.limit
                if !overflow {
                    if sub.inFlight {
                        sub.buffer.append(contentsOf: batch)
                    } else if case .enqueued = sub.continuation.yield(.records(batch)) {
                        sub.pending += batch.count
                        sub.lastQueued = batch.last!.seq
                        sub.inFlight = true
                    } else {
                        overflow = true
                    }
                }
                if overflow {
                    // What was yielded still goes out; the client resumes after it.
                    cut.append((sub, sub.lastQueued ?? (batch.first!.seq - 1)))
                } else {
                    s.subscribers[id] = sub
                }
            }
            return cut
        }
        for (sub, after) in cut {
            sub.continuation.yield(.cutOff(resumeAfter: after))
            sub.continuation.finish()
        }
    }

    /// A live feed of records published from now on; `limit` bounds what waits unread.
    func subscribe(filter: PilotStore.JournalFilter, limit: Int) -> (id: UInt64, stream: AsyncStream<Delivery>, lastSeq: Int64) {
        // Bounded by `limit` records through `pending`; batches and notices need no second bound.
        let (stream, cont) = AsyncStream<Delivery>.makeStream(bufferingPolicy: .unbounded)
        let (id, last) = state.withLockedValue { s in
            let id = s.nextID
            s.nextID += 1
            s.subscribers[id] = Subscriber(filter: filter, continuation: cont, limit: limit)
            return (id, s.lastSeq)
        }
        cont.onTermination = { [weak self] _ in self?.unsubscribe(id) }
        return (id, stream, last)
    }

    /// Tells every subscriber the stream is alive, so a handler whose client has gone finds out.
    func keepalive() {
        let subs = state.withLockedValue { Array($0.subscribers.values) }
        for sub in subs { sub.continuation.yield(.keepalive) }
    }

    /// Ends every live stream: the manager is stopping.
    func finishAll() {
        let subs = state.withLockedValue { s in defer { s.subscribers.removeAll() }; return Array(s.subscribers.values) }
        for sub in subs { sub.continuation.finish() }
    }

    /// The subscriber wrote `n` records: room for as many more, and what waited goes out now.
    func consumed(_ id: UInt64, _ n: Int) {
        state.withLockedValue { s in
            guard var sub = s.subscribers.removeValue(forKey: id) else { return }
            sub.pending -= n
            if sub.buffer.isEmpty {
                sub.inFlight = false
            } else {
                let batch = sub.buffer
                sub.buffer.removeAll(keepingCapacity: true)
                if case .enqueued = sub.continuation.yield(.records(batch)) {
                    sub.pending += batch.count
                    sub.lastQueued = batch.last!.seq
                } else {
                    sub.inFlight = false
                }
            }
            s.subscribers[id] = sub
        }
    }

    func unsubscribe(_ id: UInt64) {
        state.withLockedValue { $0.subscribers[id] = nil }
    }
}
