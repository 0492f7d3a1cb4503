import Testing
@testable import PilotCore

@Suite struct IDWindowSetTests {
    /// Random histories checked against `Set` after every step: bursts of consecutive ids (array
    /// submissions), removals oldest first and at random, ids far below or above the window, and
    /// negative ids. A window of 4 words forces the far path often; the default rarely.
    @Test(arguments: [(UInt64(1), 4), (2, 4), (3, 1 << 18), (4, 1 << 18)])
    func behavesLikeASet(seed: UInt64, maxWords: Int) {
        var rng = SchedulerPropertyTests.RNG(state: seed)
        var set = IDWindowSet(maxWords: maxWords)
        var reference = Set<Int64>()
        var next: Int64 = 1
        var fifo: [Int64] = []
        for _ in 0..<6_000 {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<4:
                for _ in 0..<Int.random(in: 1...40, using: &rng) {
                    let (got, want) = (set.insert(next), reference.insert(next).inserted)
                    #expect(got == want)
                    fifo.append(next)
                    next += 1
                }
            case 4..<7:
                for _ in 0..<Int.random(in: 1...30, using: &rng) where !fifo.isEmpty {
                    let id = fifo.removeFirst()
                    let (got, want) = (set.remove(id), reference.remove(id) != nil)
                    #expect(got == want)
                }
            case 7:
                let id = Int64.random(in: -5...(next + 5000), using: &rng)
                let (got, want) = (set.insert(id), reference.insert(id).inserted)
                #expect(got == want)
            case 8:
                let id = reference.randomElement(using: &rng) ?? 1
                let (got, want) = (set.remove(id), reference.remove(id) != nil)
                #expect(got == want)
            default:
                let id = Int64.random(in: -5...(next + 100), using: &rng)
                let (got, want) = (set.remove(id), reference.remove(id) != nil)
                #expect(got == want)
            }
            #expect(set.count == reference.count)
        }
        for id in Int64(-5)...(next + 5000) { #expect(set.contains(id) == reference.contains(id)) }
        for id in reference {
            let removed = set.remove(id)
            #expect(removed)
        }
        #expect(set.isEmpty)
        let inserted = set.insert(3)
        #expect(inserted && set.contains(3) && set.count == 1)
    }

    /// A million ids queued and bound oldest first: the window slides along and stays small.
    @Test func slidesAlongAFIFO() {
        var set = IDWindowSet()
        for id in Int64(1)...1_000_000 {
            set.insert(id)
            if id > 1000 {
                let removed = set.remove(id - 1000)
                #expect(removed)
            }
        }
        #expect(set.count == 1000)
        #expect(set.contains(999_001) && !set.contains(999_000))
    }
}
