import Foundation
import Testing
import PilotCore
@testable import PilotStore

/// The exactly-once audit `pilot bench agents` runs on the store its manager left.
@Suite struct EndingAuditTests {
    @Test func countsTasksEndedNeverOnceAndTwice() throws {
        let store = try PilotStore(inMemory: ())
        let rows = try store.insert(specs: [(TaskSpec(kind: .null), [0, 1, 2, 3])], firstID: 1, submittedAt: 0)
        var batch = WriteBatch()
        batch.tasks = rows.map { var r = $0; r.state = $0.id == 4 ? .ready : .done; return r }
        var seq: Int64 = 0
        func rec(_ kind: JournalKind, task: Int64? = nil, taskEnd: Int64? = nil, agent: Int? = nil) -> JournalRecord {
            seq += 1
            return JournalRecord(seq: seq, at: Double(seq), kind: kind, task: task, taskEnd: taskEnd, agent: agent)
        }
        // A submission covers the range; only terminal records count. Task 3 ended twice, task 4 never.
        batch.journal = [rec(.taskSubmitted, task: 1, taskEnd: 4), rec(.taskBound, task: 1), rec(.taskFinished, task: 1),
                         rec(.taskFinished, task: 2), rec(.taskFinished, task: 3), rec(.taskFailed, task: 3),
                         rec(.agentLost, agent: 7), rec(.taskFinished, task: 9)]
        try store.apply(batch)
        let a = try store.auditEndings(first: 1, last: 4)
        #expect(a.states == ["done": 3, "ready": 1])
        #expect(a.endedOnce == 2)
        #expect(a.endedMoreThanOnce == 1)
        #expect(a.neverEnded == 1)
        #expect(a.agentsLost == 1)
        #expect(!a.exactlyOnce(count: 4))
        let clean = try store.auditEndings(first: 1, last: 2)
        #expect(clean.exactlyOnce(count: 2))
    }
}
