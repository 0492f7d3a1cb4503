import Foundation
import Testing
import GRDB
import PilotCore
@testable import PilotStore

@Suite struct PilotStoreTests {
    func tempDir() -> String {
        let d = NSTemporaryDirectory() + "pilot-store-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    @Test func productionMigratorCreatesSchemaOnFileInWALMode() throws {
        let dir = tempDir()
        let store = try PilotStore(directory: dir)
        let mode = try store.writer.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        let applied = try store.writer.read { db in try PilotStore.migrator.appliedIdentifiers(db) }
        #expect(applied == ["v1-queue", "v1-resources", "v2-pilots", "v3-workflow-recovery", "v4-live-index", "v5-journal"])
        // Reopening runs no migration twice.
        _ = try PilotStore(directory: dir)
    }

    /// The per-task UPDATE must not build temporary b-trees (as `NOT IN (...)` in the partial index's
    /// condition made it do, twice per update), and the restore query reads live tasks through that
    /// index (SQLite refuses `INDEXED BY` if the condition no longer matches it), not the whole table.
    @Test func taskUpdatesBuildNoTemporaryTablesAndRestoreUsesTheLiveIndex() throws {
        let store = try PilotStore(inMemory: ())
        try store.writer.read { db in
            let program = try Row.fetchAll(db, sql: "EXPLAIN " + TaskUpdateStatement.sql, arguments:
                ["done", 1, 0, 0, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, 1])
            let opcodes = program.map { $0["opcode"] as String }
            #expect(opcodes.contains("OpenWrite"))
            #expect(!opcodes.contains("OpenEphemeral"))
            let plan = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT id FROM task INDEXED BY task_live WHERE \(PilotStore.liveCondition) ORDER BY id")
            #expect(plan.contains { ($0["detail"] as String).contains("task_live") })
        }
    }

    @Test func arraySubmissionStoresTemplateOnceAndRoundTrips() throws {
        let store = try PilotStore(inMemory: ())
        var spec = TaskSpec(name: "sweep", command: ["echo", "{i}"], request: ResourceRequest(cores: 2))
        spec.priority = 3
        let rows = try store.insert(specs: [(spec, [5, 6, 7])], firstID: 10, submittedAt: 1)
        #expect(rows.map(\.id) == [10, 11, 12])
        #expect(rows.map(\.arrayIndex) == [5, 6, 7])
        let specCount = try store.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM spec") }
        #expect(specCount == 1)
        let back = try #require(try store.spec(rows[0].specID))
        #expect(back == spec)
        #expect(back.instantiated(index: 6).command == ["echo", "6"])
        #expect(try store.maxTaskID() == 12)
    }

    @Test func batchUpdatesAndLiveTasksForRestore() throws {
        let store = try PilotStore(inMemory: ())
        let rows = try store.insert(specs: [(TaskSpec(command: ["true"]), nil), (TaskSpec(command: ["false"]), nil)],
                                    firstID: 1, submittedAt: 0)
        var a = rows[0]
        a.state = .running
        a.attempt = 1
        a.agent = 4
        a.binding = Binding(task: 1, placements: [NodePlacement(agent: 4, ranks: [.init(cores: [0], pus: [0], gpus: [], domains: [0])])])
        a.startedAt = 2
        var b = rows[1]
        b.state = .failed
        b.exitCode = 1
        b.reason = "exit code 1"
        var batch = WriteBatch()
        batch.tasks = [a, b]
        batch.journal = [JournalRecord(seq: 1, at: 3, kind: .taskFailed, task: 2, attempt: 1, agent: 4, reason: "exit code 1")]
        batch.agents = [AgentRow(id: 4, uuid: "u", hostname: "h", pilot: nil, resources: .uniform(hostname: "h", domains: 1, coresPerDomain: 2),
                                 state: "active", registeredAt: 0, lastSeen: 1, deadline: nil)]
        try store.apply(batch)
        let live = try store.liveTasks()
        #expect(live == [a])
        #expect(try store.task(2)?.exitCode == 1)
        #expect(try store.events(task: 2).map(\.reason) == ["exit code 1"])
        #expect(try store.journal(since: 0, limit: 10).map(\.seq) == [1])
        #expect(try store.counts() == [.running: 1, .failed: 1])
        #expect(try store.agents().map(\.uuid) == ["u"])
        #expect(try store.tasks(state: .failed, after: 0, limit: 10).map(\.id) == [2])
    }

    @Test func failedWriteLeavesNothingHalfWritten() throws {
        let store = try PilotStore(inMemory: ())
        _ = try store.insert(specs: [(TaskSpec(command: ["true"]), nil)], firstID: 1, submittedAt: 0)
        // A duplicate id aborts the whole submission: the first template and row must not stay behind.
        #expect(throws: StoreError.self) {
            _ = try store.insert(specs: [(TaskSpec(command: ["a"]), nil), (TaskSpec(command: ["b"]), nil)], firstID: 0, submittedAt: 0)
        }
        #expect(try store.maxTaskID() == 1)
        let specs = try store.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM spec") }
        #expect(specs == 1)
    }
}
