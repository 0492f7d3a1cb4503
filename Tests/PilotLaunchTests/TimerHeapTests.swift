import Testing
@testable import PilotLaunch

@Suite struct TimerHeapTests {
    @Test func popsDueEntriesInDeadlineOrder() {
        var heap = TimerHeap()
        var generator = SystemRandomNumberGenerator()
        let deadlines = (0..<500).map { _ in UInt64.random(in: 1...10_000, using: &generator) }
        for (index, deadline) in deadlines.enumerated() {
            heap.push(.init(deadline: deadline, token: UInt64(index), serial: 0, action: .terminate))
        }
        #expect(heap.earliest == deadlines.min())
        let firstHalf = heap.popDue(5_000)
        #expect(firstHalf.map(\.deadline) == deadlines.filter { $0 <= 5_000 }.sorted())
        #expect(heap.count == deadlines.filter { $0 > 5_000 }.count)
        #expect(heap.popDue(10_000).map(\.deadline) == deadlines.filter { $0 > 5_000 }.sorted())
        #expect(heap.isEmpty)
    }

    @Test func keepOnlyDropsDeadEntriesAndKeepsOrder() {
        var heap = TimerHeap()
        for token in 0..<1_000 as Range<UInt64> {
            heap.push(.init(deadline: 1_000 - token, token: token, serial: token % 3, action: .kill))
        }
        heap.keepOnly { $0.serial == 0 }
        #expect(heap.count == 334)
        let rest = heap.popDue(.max)
        #expect(rest.allSatisfy { $0.serial == 0 })
        #expect(rest.map(\.deadline) == rest.map(\.deadline).sorted())
    }
}
