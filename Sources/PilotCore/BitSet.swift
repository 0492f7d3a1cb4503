/// A fixed-width set of small integers in 64-bit words; iteration skips empty words,
/// so scanning a mostly-full cluster for free agents costs a few word tests.
struct BitSet: Sendable, Hashable {
    private(set) var words: [UInt64]

    init(capacity: Int = 0) { words = Array(repeating: 0, count: (capacity + 63) / 64) }

    mutating func grow(to capacity: Int) {
        let need = (capacity + 63) / 64
        if need > words.count { words.append(contentsOf: repeatElement(0, count: need - words.count)) }
    }

    func contains(_ i: Int) -> Bool {
        let w = i >> 6
        return w < words.count && words[w] & (1 << UInt64(i & 63)) != 0
    }

    mutating func insert(_ i: Int) {
        grow(to: i + 1)
        words[i >> 6] |= 1 << UInt64(i & 63)
    }

    mutating func remove(_ i: Int) {
        let w = i >> 6
        if w < words.count { words[w] &= ~(1 << UInt64(i & 63)) }
    }

    var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    /// The smallest member ≥ `start`, or nil.
    func next(from start: Int) -> Int? {
        var w = start >> 6
        guard w < words.count else { return nil }
        var word = words[w] & (~0 << UInt64(start & 63))
        while true {
            if word != 0 { return w << 6 + word.trailingZeroBitCount }
            w += 1
            guard w < words.count else { return nil }
            word = words[w]
        }
    }

    /// Removes and returns up to `n` smallest members.
    mutating func takeLowest(_ n: Int) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(n)
        var w = 0
        while out.count < n, w < words.count {
            while out.count < n, words[w] != 0 {
                let b = words[w].trailingZeroBitCount
                words[w] &= words[w] - 1
                out.append(w << 6 + b)
            }
            w += 1
        }
        return out
    }
}
