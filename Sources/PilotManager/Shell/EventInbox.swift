import Foundation
import NIOConcurrencyHelpers

/// The reactor's input: events in arrival order, each stamped with its arrival time, plus reads
/// of the reactor's state. Any thread may post; one thread takes. Stamping on arrival keeps a
/// heartbeat that waited behind a long event on time: the agent was heard when it spoke.
final class EventInbox: @unchecked Sendable {
    enum Item {
        case event(ManagerEvent, at: Double)
        case read(@Sendable (ManagerReactor) -> Void)
    }

    private let condition = NSCondition()
    private var items: [Item] = []
    private var closed = false

    func post(_ event: ManagerEvent) {
        let t = Date().timeIntervalSince1970
        condition.lock()
        items.append(.event(event, at: t))
        condition.signal()
        condition.unlock()
    }

    func read(_ body: @escaping @Sendable (ManagerReactor) -> Void) {
        condition.lock()
        items.append(.read(body))
        condition.signal()
        condition.unlock()
    }

    /// Everything posted so far; blocks while there is nothing. Empty once closed and drained.
    func takeAll() -> [Item] {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        let taken = items
        items.removeAll(keepingCapacity: true)
        return taken
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    var backlog: Int {
        condition.lock()
        defer { condition.unlock() }
        return items.count
    }
}
