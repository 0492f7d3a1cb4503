extension JournalRecord {
    /// The API's JSON for this record, byte for byte what `APICoding`'s encoder writes with sorted
    /// keys and unescaped slashes, built by hand: the live stream encodes every record for every
    /// subscriber, and the generic encoder with its key conversion cost more than the change itself.
    public var apiJSON: String {
        var s = "{"
        var first = true
        func key(_ k: String) {
            if !first { s += "," }
            first = false
            s += "\"" + k + "\":"
        }
        if let v = agent { key("agent"); s += String(v) }
        key("at"); s += JSONLiteral.number(at)
        if let v = attempt { key("attempt"); s += String(v) }
        if let v = detail { key("detail"); JSONLiteral.appendString(v, to: &s) }
        key("kind"); JSONLiteral.appendString(kind.rawValue, to: &s)
        if let v = pilot { key("pilot"); JSONLiteral.appendString(v, to: &s) }
        if let v = reason { key("reason"); JSONLiteral.appendString(v, to: &s) }
        key("seq"); s += String(seq)
        if let v = stage { key("stage"); JSONLiteral.appendString(v, to: &s) }
        if let v = state { key("state"); JSONLiteral.appendString(v, to: &s) }
        if let v = task { key("task"); s += String(v) }
        if let v = taskEnd { key("task_end"); s += String(v) }
        if let v = workflow { key("workflow"); s += String(v) }
        if let v = workload { key("workload"); s += String(v) }
        s += "}"
        return s
    }
}
