/// The set of queued task ids, as bits over the window from the oldest to the newest member.
///
/// Ids are handed out in submission order and mostly leave in that order, so the members are a
/// dense band: a bit each, touched in sequence, instead of a hash entry each with a cache miss per
/// insert and removal (a quarter of the scheduler's time with a million tasks queued). Members far
/// below the window (a task that waited for a node while millions of others passed it) go to a
/// small hash map (as do negative ids), so the window never spans more than `maxWords` words whatever
/// the ids are.
struct IDWindowSet: Sendable {
    private var words: [UInt64] = []
    /// Index in `words` of the window's first word; the words before it are spent.
    private var first = 0
    /// The id of bit 0 of `words[first]`, a multiple of 64.
    private var base: Int64 = 0
    private var far = IDMap<Void>()
    private(set) var count = 0
    let maxWords: Int

    /// `maxWords` bounds the window: 1 << 18 words are 2 MiB, 16 M ids.
    init(maxWords: Int = 1 << 18) {
        self.maxWords = maxWords
    }

    var isEmpty: Bool { count == 0 }

    private var liveWords: Int { words.count - first }

    /// The word index and bit of `id` if it lies in the window.
    @inline(__always)
    private func locate(_ id: Int64) -> (word: Int, bit: UInt64)? {
        guard id >= base else { return nil }
        let offset = (id - base) >> 6
        guard offset < Int64(liveWords) else { return nil }
        return (first + Int(offset), 1 << UInt64(id & 63))
    }

    func contains(_ id: Int64) -> Bool {
        // An id the window came to cover after it was put aside is still in `far`.
        if let (w, bit) = locate(id), words[w] & bit != 0 { return true }
        return far.contains(id)
    }

    /// Returns false if it was already a member.
    @discardableResult
    mutating func insert(_ id: Int64) -> Bool {
        guard id >= 0 else { return insertFar(id) }
        if liveWords == 0 {
            words.removeAll(keepingCapacity: true)
            first = 0
            base = id & ~63
        }
        if id >= base {
            let needed = Int((id - base) >> 6) + 1
            if needed > liveWords {
                guard needed <= maxWords else { return insertFar(id) }
                words.append(contentsOf: repeatElement(0, count: needed - liveWords))
            }
        } else {
            // Below the window: widen it downwards if that stays within bounds.
            let newBase = id & ~63
            let extra = Int((base - newBase) >> 6)
            guard liveWords + extra <= maxWords else { return insertFar(id) }
            words = Array(repeating: 0, count: extra) + words[first...]
            first = 0
            base = newBase
        }
        let (w, bit) = locate(id)!
        guard words[w] & bit == 0, !far.contains(id) else { return false }
        words[w] |= bit
        count += 1
        return true
    }

    private mutating func insertFar(_ id: Int64) -> Bool {
        guard far.updateValue((), forKey: id) == nil else { return false }
        count += 1
        return true
    }

    /// Returns false if it was not a member.
    @discardableResult
    mutating func remove(_ id: Int64) -> Bool {
        guard let (w, bit) = locate(id), words[w] & bit != 0 else {
            guard far.removeValue(forKey: id) != nil else { return false }
            count -= 1
            return true
        }
        words[w] &= ~bit
        count -= 1
        if w == first {
            // The oldest members left: slide the window's start past the empty words.
            while first < words.count, words[first] == 0 {
                first += 1
                base += 64
            }
            if first > 4096, first * 2 > words.count {
                words.removeFirst(first)
                first = 0
            }
        }
        return true
    }
}
