import Testing
@testable import PilotCore

@Suite struct IDMapTests {
    /// Random inserts, overwrites and removals, checked against `Dictionary` after every step. Keys
    /// come from a narrow range (dense runs, as task ids are), from strides of a power of two (every
    /// agent of a round-robin gets such a set), and from anywhere.
    @Test(arguments: [UInt64(1), 2, 3, 4])
    func behavesLikeADictionary(seed: UInt64) {
        var rng = SchedulerPropertyTests.RNG(state: seed)
        var map = IDMap<Int>()
        var reference: [Int64: Int] = [:]
        for step in 0..<20_000 {
            let key: Int64 = switch Int.random(in: 0..<3, using: &rng) {
            case 0: Int64.random(in: 1...300, using: &rng)
            case 1: Int64.random(in: 0...200, using: &rng) * 1024
            default: Int64.random(in: (Int64.min + 1)...Int64.max, using: &rng)
            }
            if Int.random(in: 0..<5, using: &rng) < 2 {
                #expect(map.removeValue(forKey: key) == reference.removeValue(forKey: key))
            } else {
                #expect(map.updateValue(step, forKey: key) == reference.updateValue(step, forKey: key))
            }
            #expect(map.count == reference.count)
            if step % 997 == 0 {
                for (k, v) in reference { #expect(map[k] == v) }
                #expect(Dictionary(uniqueKeysWithValues: map.map { ($0.key, $0.value) }) == reference)
            }
        }
        // Drained completely, it is empty and still usable.
        for k in reference.keys { map[k] = nil }
        #expect(map.isEmpty && map.keys.isEmpty)
        map[7] = 1
        #expect(map[7] == 1 && map.count == 1)
    }

    /// A million ids added in order and removed oldest first, as the queue does: every lookup of a
    /// remaining id still succeeds after the removals before it shifted entries back.
    @Test func fifoChurnKeepsEveryRemainingKeyReachable() {
        var map = IDMap<Void>()
        for id in Int64(1)...200_000 { map[id] = () }
        for id in Int64(1)...150_000 {
            #expect(map.removeValue(forKey: id) != nil)
            if id % 10_000 == 0 {
                #expect(map.count == 200_000 - Int(id))
                #expect(map.contains(id + 1) && map.contains(200_000) && !map.contains(id))
            }
        }
        #expect((150_001...200_000).allSatisfy { map.contains(Int64($0)) })
    }

    @Test func optionalValuesAreKeptApartFromAbsence() {
        var map = IDMap<Double?>()
        map.updateValue(nil, forKey: 5)
        #expect(map.contains(5))
        #expect(map.count == 1)
        #expect(map.map(\.value).count == 1)
    }
}
