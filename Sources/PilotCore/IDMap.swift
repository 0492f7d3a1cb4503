/// A hash map from task ids to values, for the scheduler's per-decision bookkeeping and the
/// metrics' per-task bookkeeping.
///
/// Every binding touches several of these tables (the queue's members, the bindings, each agent's
/// tasks), and with `Dictionary` the seeded SipHash of each lookup was a third of the scheduler's
/// time. Here a lookup is one multiplication (Fibonacci hashing spreads consecutive and strided ids
/// alike) and a linear probe; deletion shifts entries back, so there are no tombstones and a table
/// that churns through millions of ids stays as fast as a fresh one. Ids must not be `Int64.min`.
public struct IDMap<Value: Sendable>: Sendable {
    @usableFromInline static var empty: Int64 { .min }
    /// Id and value side by side: a lookup in a table of a million ids costs one cache miss, not two.
    @usableFromInline struct Entry: Sendable {
        @usableFromInline var id: Int64
        @usableFromInline var value: Value?
        @inlinable init(id: Int64, value: Value?) {
            self.id = id
            self.value = value
        }
    }
    @usableFromInline var table: [Entry] = []
    /// log2 of the capacity; the hash keeps this many top bits.
    @usableFromInline var bits = 0
    /// Entries in the table.
    @usableFromInline var stored = 0
    @inlinable public var count: Int { stored }

    @inlinable public init() {}

    @inlinable public var isEmpty: Bool { count == 0 }

    @inlinable @inline(__always)
    func home(_ key: Int64) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - bits))
    }

    /// The slot holding `key`, or nil. An empty map answers without hashing: the scheduler asks its
    /// (nearly always empty) withdrawn set about every task it queues and binds.
    @inlinable @inline(__always)
    func find(_ key: Int64) -> Int? {
        guard count > 0 else { return nil }
        let mask = table.count - 1
        var i = home(key)
        while true {
            let k = table[i].id
            if k == key { return i }
            if k == Self.empty { return nil }
            i = (i + 1) & mask
        }
    }

    @inlinable public subscript(key: Int64) -> Value? {
        get { find(key).flatMap { table[$0].value } }
        set {
            if let newValue { updateValue(newValue, forKey: key) } else { removeValue(forKey: key) }
        }
    }

    @inlinable public func contains(_ key: Int64) -> Bool { find(key) != nil }

    /// Returns the previous value, if any.
    @inlinable @discardableResult
    public mutating func updateValue(_ value: Value, forKey key: Int64) -> Value? {
        precondition(key != Self.empty, "IDMap cannot hold Int64.min")
        if let i = find(key) {
            let old = table[i].value
            table[i].value = value
            return old
        }
        // At most 3/4 full: linear probes stay short.
        if (count + 1) * 4 > table.count * 3 { grow() }
        let mask = table.count - 1
        var i = home(key)
        while table[i].id != Self.empty { i = (i + 1) & mask }
        table[i] = Entry(id: key, value: value)
        stored += 1
        return nil
    }

    @inlinable @discardableResult
    public mutating func removeValue(forKey key: Int64) -> Value? {
        guard var hole = find(key) else { return nil }
        let old = table[hole].value
        let mask = table.count - 1
        // Backward-shift deletion: pull later entries of the probe run into the hole whenever their
        // home slot does not lie cyclically in (hole, j], so every remaining key stays reachable.
        var j = hole
        while true {
            j = (j + 1) & mask
            let k = table[j].id
            if k == Self.empty { break }
            let h = home(k)
            let stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j)
            if stays { continue }
            table[hole] = table[j]
            hole = j
        }
        table[hole] = Entry(id: Self.empty, value: nil)
        stored -= 1
        return old
    }

    @inlinable mutating func grow() {
        let old = table
        bits = Swift.max(4, bits + 1)
        table = Array(repeating: Entry(id: Self.empty, value: nil), count: 1 << bits)
        stored = 0
        for e in old where e.id != Self.empty { updateValue(e.value!, forKey: e.id) }
    }
}

extension IDMap: Sequence {
    public struct Iterator: IteratorProtocol {
        fileprivate let owner: IDMap
        fileprivate var position = 0
        public mutating func next() -> (key: Int64, value: Value)? {
            while position < owner.table.count {
                defer { position += 1 }
                let e = owner.table[position]
                if e.id != IDMap.empty { return (e.id, e.value!) }
            }
            return nil
        }
    }

    public func makeIterator() -> Iterator { Iterator(owner: self) }

    public var underestimatedCount: Int { count }

    /// In table order, not insertion order.
    public var keys: [Int64] { map(\.key) }
    public var values: [Value] { map(\.value) }
}
