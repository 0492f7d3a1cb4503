extension JournalRecord {
    /// The API's JSON for this record, byte for byte what `APICoding`'s encoder writes with sorted
    /// keys and unescaped slashes, built by hand: the live stream encodes every record for every
    /// subscriber, and the generic encoder with its key conversion cost more than the change itself.
    public var apiJSON: String {
        var out: [UInt8] = []
        appendAPIJSON(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The same JSON appended as UTF-8 bytes: the stream writes them to its buffer without making
    /// a `String` per record.
    public func appendAPIJSON(to out: inout [UInt8]) {
        var first = true
        func key(_ k: StaticString) {
            out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            first = false
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: UnsafeBufferPointer(start: k.utf8Start, count: k.utf8CodeUnitCount))
            // Two appends, not an array literal: that was an allocation per key of every record.
            out.append(UInt8(ascii: "\""))
            out.append(UInt8(ascii: ":"))
        }
        func integer<T: BinaryInteger & SignedInteger>(_ v: T) { JSONLiteral.appendInteger(Int64(v), to: &out) }
        func text(_ v: String) { JSONLiteral.appendString(v, to: &out) }
        if let v = agent { key("agent"); integer(v) }
        key("at"); out.append(contentsOf: JSONLiteral.number(at).utf8)
        if let v = attempt { key("attempt"); integer(v) }
        if let v = detail { key("detail"); text(v) }
        key("kind"); text(kind.rawValue)
        if let v = pilot { key("pilot"); text(v) }
        if let v = reason { key("reason"); text(v) }
        key("seq"); integer(seq)
        if let v = stage { key("stage"); text(v) }
        if let v = state { key("state"); text(v) }
        if let v = task { key("task"); integer(v) }
        if let v = taskEnd { key("task_end"); integer(v) }
        if let v = workflow { key("workflow"); integer(v) }
        if let v = workload { key("workload"); integer(v) }
        out.append(UInt8(ascii: "}"))
    }
}
