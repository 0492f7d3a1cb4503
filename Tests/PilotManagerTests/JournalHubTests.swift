import Foundation
import PilotCore
import PilotStore
import Testing
@testable import PilotManager

/// The live journal feed: one batch per commit, bounded in records; a subscriber that stops
/// reading is cut off with the sequence number to resume from, and never slows the publisher.
@Suite struct JournalHubTests {
    func records(_ seqs: ClosedRange<Int64>, task: Int64 = 1) -> [JournalRecord] {
        seqs.map { JournalRecord(seq: $0, at: Double($0), kind: .taskBound, task: task) }
    }

    @Test func batchesPerCommitAndCutsOffAStalledSubscriber() async throws {
        let hub = JournalHub(lastSeq: 0)
        let sub = hub.subscribe(filter: PilotStore.JournalFilter(), limit: 5)
        hub.publish(records(1...3))
        hub.consumed(sub.id, 3)                  // written: room for 5 again
        hub.publish(records(4...7))              // 4 pending
        hub.publish(records(8...9))              // 6 > 5: cut off after 7
        hub.publish(records(10...10))            // no longer subscribed
        #expect(hub.subscriberCount == 0)
        var got: [String] = []
        for await d in sub.stream {
            switch d {
            case .records(let rs): got.append(rs.map { String($0.seq) }.joined(separator: ","))
            case .cutOff(let after): got.append("cut_off \(after)")
            case .keepalive: got.append("keepalive")
            }
        }
        #expect(got == ["1,2,3", "4,5,6,7", "cut_off 7"])
    }

    @Test func commitsWhileABatchIsInFlightGoOutTogether() async throws {
        let hub = JournalHub(lastSeq: 0)
        let sub = hub.subscribe(filter: PilotStore.JournalFilter(), limit: 100)
        hub.publish(records(1...2))              // idle subscriber: out at once
        hub.publish(records(3...3))              // in flight: buffered
        hub.publish(records(4...5))
        hub.consumed(sub.id, 2)                  // 3, 4, 5 go out as one batch
        hub.consumed(sub.id, 3)                  // idle again
        hub.publish(records(6...6))
        hub.finishAll()
        var got: [String] = []
        for await d in sub.stream { if case .records(let rs) = d { got.append(rs.map { String($0.seq) }.joined(separator: ",")) } }
        #expect(got == ["1,2", "3,4,5", "6"])
    }

    @Test func filtersApplyPerRecordWithinABatch() async throws {
        let hub = JournalHub(lastSeq: 0)
        let sub = hub.subscribe(filter: PilotStore.JournalFilter(task: 2), limit: 100)
        hub.publish(records(1...2, task: 1) + records(3...4, task: 2))
        hub.finishAll()
        var seqs: [Int64] = []
        for await d in sub.stream { if case .records(let rs) = d { seqs += rs.map(\.seq) } }
        #expect(seqs == [3, 4])
    }
}
