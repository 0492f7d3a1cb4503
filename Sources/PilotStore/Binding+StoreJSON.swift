import PilotCore

extension Binding {
    /// The same JSON `JSONEncoder` writes for a binding (and `JSONDecoder` reads back), built by hand:
    /// the generic encoder cost more than the SQLite UPDATE itself, and every task's binding is
    /// written at least twice (bound, done).
    var storeJSON: String {
        var s = "{\"task\":\(task),\"placements\":["
        for (i, p) in placements.enumerated() {
            if i > 0 { s += "," }
            s += "{\"agent\":\(p.agent),\"memoryBytes\":\(p.memoryBytes),\"custom\":["
            for (j, c) in p.custom.enumerated() {
                if j > 0 { s += "," }
                s += "{\"name\":"
                JSONLiteral.appendString(c.name, to: &s)
                s += ",\"amount\":\(c.amount)}"
            }
            s += "],\"ranks\":["
            for (j, r) in p.ranks.enumerated() {
                if j > 0 { s += "," }
                s += "{\"cores\":"
                Self.appendInts(r.cores, to: &s)
                s += ",\"pus\":"
                Self.appendInts(r.pus, to: &s)
                s += ",\"gpus\":"
                Self.appendInts(r.gpus, to: &s)
                s += ",\"domains\":"
                Self.appendInts(r.domains, to: &s)
                s += "}"
            }
            s += "]}"
        }
        s += "]"
        if let q = qpu {
            s += ",\"qpu\":{\"device\":"
            JSONLiteral.appendString(q.device, to: &s)
            s += ",\"slots\":"
            Self.appendInts(q.slots, to: &s)
            s += "}"
        }
        s += "}"
        return s
    }

    private static func appendInts(_ xs: [Int], to s: inout String) {
        s += "["
        for (i, x) in xs.enumerated() {
            if i > 0 { s += "," }
            s += String(x)
        }
        s += "]"
    }
}
