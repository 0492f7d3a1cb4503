import PilotCore

extension ManagerReactor {
    /// A binding as the `task_bound` record's detail:
    /// `{"nodes":[{"agent":1,"cores":[0,1],"gpus":[0]}],"qpu":{"device":"d","slots":[0]}}`.
    ///
    /// Written by hand: this runs once per binding on the reactor's thread, where an encoder per
    /// record would cost more than the rest of the record.
    static func placementDetail(_ b: Binding) -> String {
        var s = #"{"nodes":["#
        for (i, p) in b.placements.enumerated() {
            if i > 0 { s += "," }
            s += #"{"agent":\#(p.agent),"cores":["#
            s += p.cores.map(String.init).joined(separator: ",")
            s += #"],"gpus":["#
            s += p.gpus.map(String.init).joined(separator: ",")
            s += "]}"
        }
        s += "]"
        if let q = b.qpu {
            s += #","qpu":{"device":\#(quotedName(q.device)),"slots":["#
            s += q.slots.map(String.init).joined(separator: ",")
            s += "]}"
        }
        return s + "}"
    }
}

extension ManagerReactor {
    /// `{"started":S,"ended":E}` (agent clock, Unix seconds) for the record that ends an attempt;
    /// nil when the attempt never started.
    static func runTimesDetail(_ started: Double?, _ ended: Double?) -> String? {
        guard let s = started else { return nil }
        return ended.map { #"{"started":\#(s),"ended":\#($0)}"# } ?? #"{"started":\#(s)}"#
    }
}

extension ManagerReactor {
    /// A device name as a JSON string: names are plain identifiers, which need no escaping, so the
    /// encoder (most of this record's cost) is only used for anything else.
    static func quotedName(_ name: String) -> String {
        let plain = name.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x5F || c == 0x2E || c == 0x3A
        }
        return plain ? "\"" + name + "\"" : jsonString(name)
    }
}
