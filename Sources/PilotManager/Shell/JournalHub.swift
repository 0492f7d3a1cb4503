import Foundation
import NIOConcurrencyHelpers
import PilotCore
import PilotStore

/// Hands committed journal records to live subscribers; what they missed before subscribing they
/// read from the store.
///
/// Publishing never waits for a subscriber: each has a bounded buffer, and one that falls behind
/// by more than it holds is cut off, told the sequence number to resume from.
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
        var pending: Int = 0
    }

    public enum Delivery: Sendable {
        case record(JournalRecord)
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
        state.withLockedValue { s in
            s.lastSeq = max(s.lastSeq, records.last!.seq)
            s.total += records.count
            var cut: [UInt64] = []
            for (id, sub) in s.subscribers {
                var delivered = 0
                var lastDelivered: Int64?
                var overflow = false
                for r in records where sub.filter.matches(r) {
                    switch sub.continuation.yield(.record(r)) {
                    case .enqueued(let remaining):
                        delivered += 1
                        lastDelivered = r.seq
                        if remaining <= 1 { overflow = true }
                    case .dropped, .terminated:
                        overflow = true
                    @unknown default: overflow = true
                    }
                    if overflow { break }
                }
                _ = delivered
                if overflow {
                    // The buffer (bufferingOldest) keeps what was enqueued; the client resumes after it.
                    sub.continuation.yield(.cutOff(resumeAfter: lastDelivered ?? (records.first!.seq - 1)))
                    sub.continuation.finish()
                    cut.append(id)
                }
            }
            for id in cut { s.subscribers[id] = nil }
        }
    }

    /// A live feed of records published from now on; `limit` bounds what waits unread.
    func subscribe(filter: PilotStore.JournalFilter, limit: Int) -> (id: UInt64, stream: AsyncStream<Delivery>, lastSeq: Int64) {
        // One slot is kept for the cut-off notice.
        let (stream, cont) = AsyncStream<Delivery>.makeStream(bufferingPolicy: .bufferingOldest(limit + 1))
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

    func unsubscribe(_ id: UInt64) {
        state.withLockedValue { $0.subscribers[id] = nil }
    }
}
