import Foundation
import Testing

/// Issue 20, item 3, scaled down for the suite: the same code path as `pilot bench agents`
/// (a real manager process, real agents in worker processes over loopback TCP, SIGUSR1 dropping
/// agents at once), with 100 agents of which 20 drop and reconnect. Asserts outcomes only.
@Suite struct AgentScaleEndToEndTests {
    @Test func droppedAgentsReconnectAndEveryTaskEndsExactlyOnce() throws {
        let r = try PilotBinary.run(["bench", "agents", "--agents", "100", "--per-process", "50", "--cores", "4", "--drop", "20",
                                     "--duration", "0", "--queued", "20000", "--batch", "5000", "--scrape-every", "0",
                                     "--poll-interval", "0.1"])
        #expect(r.status == 0, "\(r.err)")
        let line = try #require(r.out.split(separator: "\n").last { $0.contains("\"workload\":\"agents\"") }, "\(r.out)\n\(r.err)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let tasks = 25_000  // --queued plus the batch submitted just before the drop
        #expect(obj["tasks"] as? Int == tasks)
        #expect(obj["exactly_once"] as? Bool == true, "\(line)")
        #expect(obj["ended_once"] as? Int == tasks)
        #expect(obj["ended_more_than_once"] as? Int == 0)
        #expect(obj["never_ended"] as? Int == 0)
        #expect((obj["states"] as? [String: Int]) == ["done": tasks])
        #expect(obj["disconnected_seen"] as? Int == 20)
        #expect(obj["reattached_seen"] as? Int == 20)
        #expect(obj["agents_lost"] as? Int == 0)
    }

    @Test func badFlagsAreNamed() throws {
        let r = try PilotBinary.run(["bench", "agents", "--agents", "10", "--per-process", "5", "--drop", "6"])
        #expect(r.status != 0)
        #expect(r.err.contains("--drop"), "\(r.err)")
    }
}
