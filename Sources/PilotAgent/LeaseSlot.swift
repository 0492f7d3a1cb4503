import PilotCore

/// One slot of one QPU device, as a lease names it: what no two running tasks of an agent share.
struct LeaseSlot: Hashable, Sendable {
    var device: String
    var slot: Int

    /// Whether `body` holds for every slot of the lease (true without one). Walks the slots in
    /// place: `pump` asks this for every waiting task, so no array per question.
    static func all(of lease: QPULease?, _ body: (LeaseSlot) -> Bool) -> Bool {
        guard let l = lease else { return true }
        for s in l.slots where !body(LeaseSlot(device: l.device, slot: s)) { return false }
        return true
    }

    static func each(of lease: QPULease?, _ body: (LeaseSlot) -> Void) {
        guard let l = lease else { return }
        for s in l.slots { body(LeaseSlot(device: l.device, slot: s)) }
    }
}
