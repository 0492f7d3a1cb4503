import Foundation
import PilotCore
import PilotProtocol
import PilotSlurm
import PilotStore
import Testing
@testable import PilotManager

/// Recorded event sequences replayed against the reactor, asserting the exact effects it emits:
/// what it persists and journals, what it sends and to whom, and when.
@Suite struct ReactorReplayTests {
    /// A reactor on a fixed clock that the test moves, ticking only when told.
    final class Replay {
        let f: ManagerFixture
        var now = 1_000.0
        init(dir: String? = nil, configure: (inout ManagerConfig) -> Void = { _ in }) throws {
            let clock = ClockBox()
            f = try ManagerFixture(dir: dir, configure: configure, clock: { clock.now })
            keepDir = dir != nil
            self.clock = clock
            f.core.autoTick = false
        }
        let clock: ClockBox
        var core: RecordingShell { f.core }

        func at(_ t: Double) { clock.now = t }
        func post(_ e: ManagerEvent) -> [String] { EffectDescription.describe(core.post(e)) }
        func hello(_ name: String, cores: Int = 2, conn: ConnectionID, running: [RunningTask] = [], finished: [TaskOutcome] = [],
                   pilot: String? = nil) -> [String] {
            post(.agentHello(AgentHello(token: "", agentUUID: name, hostname: name, pilot: pilot,
                                        resources: .uniform(hostname: name, domains: 1, coresPerDomain: cores), deadline: nil,
                                        running: running, finished: finished), connection: conn))
        }
        func submit(_ specs: [TaskSpec], reply: ReplyID) -> [String] { post(.submit(SubmitRequest(tasks: specs), reply: reply)) }
        func message(_ env: AgentEnvelope, conn: ConnectionID) -> [String] { post(.agentMessage(env, connection: conn)) }
        /// A directory the test gave survives this replay, for a restart from it.
        let keepDir: Bool
        deinit { if !keepDir { f.cleanup() } }
    }

    final class ClockBox: @unchecked Sendable { var now = 1_000.0 }

    static let task = TaskSpec(name: "t", command: ["/bin/true"], request: ResourceRequest(cores: 1))

    @Test func submitBindStartFinish() throws {
        let r = try Replay()
        #expect(r.hello("n1", conn: 1) == ["send c1 welcome agent=1 kill=[]", "tick"])
        #expect(r.post(.tick) == ["persist#1 agents=[1:active] journal=[agent_registered(a1)]"])
        #expect(r.submit([Self.task], reply: 1) == ["tick", "persist#2 new=[1] journal=[task_submitted(1#0)]", "reply r1 submitted 1+1"])
        #expect(r.post(.tick) == ["persist#3 tasks=[1:bound] journal=[task_bound(1#1)]", "send c1 tasks assign=[1.1] cancel=[] ack=[]"])
        r.at(1_001)
        #expect(r.message(.started([RunningTask(key: TaskKey(task: 1, attempt: 1), pid: 7, startedAt: 1_001)]), conn: 1) == ["tick"])
        #expect(r.post(.tick) == ["persist#4 tasks=[1:running] journal=[task_started(1#1)]"])
        let outcome = TaskOutcome(key: TaskKey(task: 1, attempt: 1), kind: .exited, exitCode: 0, startedAt: 1_001, endedAt: 1_002)
        #expect(r.message(.finished([outcome]), conn: 1) == ["tick"])
        #expect(r.post(.tick) == ["persist#5 tasks=[1:done] journal=[task_finished(1#1)]", "send c1 tasks assign=[] cancel=[] ack=[1.1]"])
        // Committed: the ended task left memory and is read from the store.
        #expect(r.core.reactor.liveTaskCount == 0)
        #expect(try r.core.store.task(1)?.state == .done)
        #expect(r.core.journal.map(\.seq) == Array(1...5))
    }

    @Test func agentLossRetriesUntilTheCrashLimit() throws {
        let r = try Replay { $0.heartbeatTimeout = 10 }
        var spec = Self.task
        spec.crashLimit = 2
        _ = r.hello("n1", conn: 1)
        _ = r.submit([spec], reply: 1)
        _ = r.post(.tick)
        _ = r.message(.started([RunningTask(key: TaskKey(task: 1, attempt: 1), pid: 7, startedAt: 1_000)]), conn: 1)
        _ = r.post(.tick)
        // Silent past the timeout: lost; the running task is charged a crash and queued again.
        r.at(1_011)
        #expect(r.post(.timer) == ["close c1", "tick"])
        #expect(r.post(.tick) == ["persist#4 tasks=[1:ready] agents=[1:lost] journal=[agent_lost(a1),task_retried(1#1)]"])
        #expect(r.core.reactor.live[1]?.crashes == 1)
        // A second agent takes it, and is lost too: the crash limit fails it.
        _ = r.hello("n2", conn: 2)
        #expect(r.post(.tick) == ["persist#5 tasks=[1:bound] agents=[2:active] journal=[agent_registered(a2),task_bound(1#2)]",
                                  "send c2 tasks assign=[1.2] cancel=[] ack=[]"])
        r.at(1_022)
        #expect(r.post(.timer) == ["close c2", "tick"])
        #expect(r.post(.tick) == ["persist#6 tasks=[1:failed] agents=[2:lost] journal=[agent_lost(a2),task_failed(1#2)]"])
        #expect(try r.core.store.task(1)?.reason?.contains("crash limit reached (2 of 2)") == true)
    }

    @Test func reconnectKeepsRunningTasksAndTakesFinishedOnes() throws {
        let r = try Replay()
        _ = r.hello("n1", cores: 2, conn: 1)
        _ = r.submit([Self.task, Self.task], reply: 1)
        _ = r.post(.tick)
        // The connection drops; the agent comes back on a new one with task 1 running and task 2 ended.
        #expect(r.post(.agentDisconnected(connection: 1)) == ["tick"])
        let running = [RunningTask(key: TaskKey(task: 1, attempt: 1), pid: 7, startedAt: 1_000)]
        let finished = [TaskOutcome(key: TaskKey(task: 2, attempt: 1), kind: .exited, exitCode: 0, startedAt: 1_000, endedAt: 1_000.5)]
        // The disconnect asked for a round already: requests for rounds are coalesced until one runs.
        #expect(r.hello("n1", conn: 2, running: running, finished: finished) == ["send c2 welcome agent=1 kill=[]"])
        #expect(r.post(.tick) == ["persist#3 tasks=[1:running,2:done] agents=[1:active] journal=[agent_disconnected(a1),agent_reattached(a1),task_started(1#1),task_finished(2#1)]",
                                  "send c2 tasks assign=[] cancel=[] ack=[2.1]"])
        // A task it reports that the manager never gave it is killed.
        _ = r.post(.agentDisconnected(connection: 2))
        let stranger = [RunningTask(key: TaskKey(task: 99, attempt: 1), pid: 8, startedAt: 1_000)]
        #expect(r.hello("n1", conn: 3, running: running + stranger) == ["send c3 welcome agent=1 kill=[99.1]"])
        #expect(r.core.reactor.live[1]?.state == .running)
    }

    /// A reconnecting agent's unstarted tasks are found through the scheduler's holdings, not a scan of
    /// every live task: its own go back to the queue and are bound again; another agent's are untouched.
    @Test func reconnectRequeuesOnlyItsOwnUnstartedTasks() throws {
        let r = try Replay()
        _ = r.hello("n1", cores: 1, conn: 1)
        _ = r.hello("n2", cores: 1, conn: 2)
        _ = r.submit([Self.task, Self.task], reply: 1)
        _ = r.post(.tick)
        let mine = try #require(r.core.reactor.live.first { $0.value.agent == 1 }?.key)
        let other = try #require(r.core.reactor.live.first { $0.value.agent == 2 }?.key)
        _ = r.post(.agentDisconnected(connection: 1))
        #expect(r.hello("n1", cores: 1, conn: 3) == ["send c3 welcome agent=1 kill=[]"])
        _ = r.post(.tick)
        #expect(r.core.reactor.live[mine]?.state == .bound)
        #expect(r.core.reactor.live[mine]?.attempt == 2)
        #expect(r.core.reactor.live[mine]?.agent == 1)
        #expect(r.core.reactor.live[other]?.state == .bound)
        #expect(r.core.reactor.live[other]?.attempt == 1)
        #expect(r.core.reactor.live[other]?.agent == 2)
    }

    @Test func drainAtWalltimeTellsTheAgentsAndBindsNothingNew() throws {
        let r = try Replay()
        let p = try #require(try r.core.submitPilot(PilotSubmitRequest(profile: "local")).pilot)
        #expect(p.state == .pending)
        _ = r.hello("n1", conn: 1, pilot: p.id)
        _ = r.post(.tick)
        #expect(r.post(.drainPilot(p.id, PilotDrainRequest(deadline: 2_000, reason: "walltime"), reply: 90)) ==
                ["send c1 drain walltime", "tick", "persist#4 agents=[1:active] journal=[pilot_drain(p1)]", "reply r90 pilot p1 pending"])
        _ = r.submit([Self.task], reply: 91)
        #expect(r.post(.tick) == [], "a draining agent got work")
    }

    @Test func aLeaseIsReleasedWhenItsAgentIsLost() throws {
        let r = try Replay { cfg in
            cfg.heartbeatTimeout = 5
            cfg.devices = [QPUDeviceInfo(name: "ibm", qubits: 5, slots: 1)]
        }
        var spec = Self.task
        spec.request.qpu = QPUSelector(device: "ibm")
        _ = r.hello("n1", conn: 1)
        _ = r.submit([spec], reply: 1)
        #expect(r.post(.tick) == ["persist#2 tasks=[1:bound] journal=[task_bound(1#1),lease_acquired(1#1)]",
                                  "send c1 tasks assign=[1.1] cancel=[] ack=[]"])
        r.at(1_006)
        #expect(r.post(.timer) == ["close c1", "tick"])
        #expect(r.post(.tick) == ["persist#3 tasks=[1:ready] agents=[1:lost] journal=[agent_lost(a1),lease_released(1#1),task_retried(1#1)]"])
        // The device is free again for the next agent.
        _ = r.hello("n2", conn: 2)
        #expect(r.post(.tick).last == "send c2 tasks assign=[1.2] cancel=[] ack=[]")
    }

    @Test func autoChoosesAtBindTimeWaitsForTheBetterDeviceAndJournalsTheDecision() throws {
        let r = try Replay { cfg in
            cfg.devices = [QPUDeviceInfo(name: "fast", qubits: 5, slots: 1), QPUDeviceInfo(name: "slow", qubits: 5, slots: 1)]
        }
        var spec = Self.task
        spec.request.qpu = try QPUSelector(parsing: "auto:fastest")
        spec.qpuEstimates = [DeviceEstimate(device: "fast", runtime: 2, fidelity: 0.9),
                             DeviceEstimate(device: "slow", runtime: 30, fidelity: 0.99)]
        _ = r.hello("n1", cores: 4, conn: 1)
        _ = r.post(.tick)
        _ = r.submit([spec, spec], reply: 1)
        // Both would rather wait for `fast` (2 s + 2 s) than run 30 s on `slow`: one binds, one waits.
        #expect(r.post(.tick) == ["persist#3 tasks=[1:bound] journal=[task_bound(1#1),lease_acquired(1#1),device_chosen(1#1)]",
                                  "send c1 tasks assign=[1.1] cancel=[] ack=[]"])
        let chosen = try #require(r.core.journal.last { $0.kind == .deviceChosen })
        #expect(chosen.state == "fast")
        let detail = try #require(chosen.detail)
        #expect(detail.contains(#""policy":"fastest""#) && detail.contains(#""predicted_runtime":2"#), "\(detail)")
        #expect(detail.contains(#"{"device":"slow","fidelity":0.99,"runtime":30,"wait":0}"#), "\(detail)")
        r.at(1_002)
        let done = TaskOutcome(key: TaskKey(task: 1, attempt: 1), kind: .exited, exitCode: 0, startedAt: 1_000, endedAt: 1_002)
        _ = r.message(.finished([done]), conn: 1)
        let after = r.post(.tick)
        #expect(after.first?.contains("tasks=[1:done,2:bound]") == true, "\(after)")
        #expect(after.first?.contains("device_chosen(2#1)") == true, "\(after)")
        // A restart keeps the predictions with the task: they are part of its stored spec.
        let row = try #require(try r.core.store.task(2))
        #expect(try r.core.store.spec(row.specID)?.qpuEstimates == spec.qpuEstimates)
    }

    @Test func aRotatedTokenIsStoredWithItsJournalRecordWhichNeverHoldsIt() throws {
        let r = try Replay()
        let token = "new-token-0123456789"
        #expect(r.post(.rotateToken(token: token, graceSeconds: 600, reason: nil, reply: 5))
                == ["persist#1 journal=[token_rotated] meta=[\"access_token\"]", "reply r5 stored"])
        #expect(try r.core.store.meta("access_token") == token)
        let record = try #require(r.core.journal.last)
        #expect(record.kind == .tokenRotated && record.detail == #"{"grace_seconds":600.0}"#)
        #expect(!"\(record)".contains(token))
        // Undone: the old token goes back, and the journal says why.
        _ = r.post(.rotateToken(token: "old", graceSeconds: 600, reason: "undone: cannot write the access file", reply: 6))
        #expect(try r.core.store.meta("access_token") == "old")
        #expect(r.core.journal.last?.reason?.hasPrefix("undone") == true)
    }

    @Test func aWorkflowReleasesItsNextStage() throws {
        let r = try Replay()
        _ = r.hello("n1", cores: 4, conn: 1)
        _ = r.post(.tick)
        let yaml = """
            version: 1
            stages:
              a: {motif: ensemble, command: ["true"], count: 2}
              b: {motif: ensemble, needs: [a], command: ["true"], count: 1}
            """
        // The file is parsed on the pool; the recording shell runs that inline and feeds the answer back.
        #expect(r.post(.submitWorkflow(WorkflowSubmitRequest(yaml: yaml), reply: 1)) == ["offload workflow 1"])
        _ = r.post(.tick)
        let a = r.core.sent[1]!.last!.assign!.map(\.key)
        #expect(a.count == 2)
        let done = a.map { TaskOutcome(key: $0, kind: .exited, exitCode: 0, startedAt: 1_000, endedAt: 1_000) }
        _ = r.message(.finished(done), conn: 1)
        // One tick: the outcomes are journaled, stage a ends, and b's task is submitted and bound.
        let fx = r.post(.tick)
        #expect(fx.count == 2)
        #expect(fx[0].contains("task_finished(1#1),task_finished(2#1)"))
        #expect(fx[0].contains("tasks=[1:done,2:done,3:bound]"))
        #expect(fx[0].contains("stage_state,stage_state,task_submitted(3#0),task_bound(3#1)"))
        #expect(fx[1] == "send c1 tasks assign=[3.1] cancel=[] ack=[1.1,2.1]")
    }

    @Test func theAutoscalerSubmitsAPilotWhileWorkWaits() throws {
        let r = try Replay { $0.pilots.pollInterval = 1 }
        _ = try r.core.addAllocQueue(AllocQueueRequest(profile: "local", maxPilots: 1))
        _ = r.submit([Self.task], reply: 2)
        r.at(1_002)
        let fx = r.post(.timer)
        #expect(fx.contains { $0.hasPrefix("persist#") && $0.contains("alloc_decision") && $0.contains("pilots=[p1:submitting]") })
        #expect(fx.last == "slurm submit p1")
        #expect(try r.core.pilotInfo("p1").state == .pending, "the scripted Slurm's answer was applied")
        #expect(r.core.journal.filter { $0.kind == .allocDecision }.map(\.state) == ["active", "submit"])
    }
}
