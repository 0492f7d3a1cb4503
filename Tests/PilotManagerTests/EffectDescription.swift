import PilotCore
import PilotProtocol
import PilotStore
@testable import PilotManager

/// One line per effect, for exact assertions on what the reactor asked for (log lines left out).
enum EffectDescription {
    static func describe(_ effects: [ManagerEffect]) -> [String] { effects.compactMap(describe) }

    static func describe(_ e: ManagerEffect) -> String? {
        switch e {
        case .persist(let n, let b):
            var parts = ["persist#\(n)"]
            if !b.newTasks.isEmpty { parts.append("new=\(b.newTasks.map(\.id))") }
            if !b.tasks.isEmpty { parts.append("tasks=[" + b.tasks.sorted { $0.id < $1.id }.map { "\($0.id):\($0.state.rawValue)" }.joined(separator: ",") + "]") }
            if !b.agents.isEmpty { parts.append("agents=[" + b.agents.map { "\($0.id):\($0.state)" }.joined(separator: ",") + "]") }
            if !b.pilots.isEmpty { parts.append("pilots=[" + b.pilots.map { "\($0.id):\($0.state)" }.joined(separator: ",") + "]") }
            if !b.journal.isEmpty { parts.append("journal=[" + b.journal.map(describe).joined(separator: ",") + "]") }
            if !b.meta.isEmpty { parts.append("meta=\(b.meta.keys.sorted())") }
            return parts.joined(separator: " ")
        case .send(let c, let m):
            switch m {
            case .welcome(let w): return "send c\(c) welcome agent=\(w.agentID) kill=\(keys(w.kill))"
            case .tasks(let a, let cancel, let ack):
                return "send c\(c) tasks assign=\(keys(a.map(\.key))) cancel=\(keys(cancel)) ack=\(keys(ack))"
            case .drain(let d): return "send c\(c) drain \(d.reason)"
            case .error(let err): return "send c\(c) error \(err.code)"
            }
        case .close(let c): return "close c\(c)"
        case .reply(let id, let r): return "reply r\(id) \(describe(r))"
        case .slurm(let s):
            switch s {
            case .submit(let p): return "slurm submit \(p.pilot)"
            case .cancel(let p, _, let c, _): return "slurm cancel \(p)" + (c.map { " on \($0.name)" } ?? "")
            case .poll(let jobs, let c): return "slurm poll \(jobs.map(\.rawValue))" + (c.map { " on \($0.name)" } ?? "")
            }
        case .offload(let w):
            switch w {
            case .prepareWorkflow(let id, _, _, _): return "offload workflow \(id)"
            case .planCut(let j): return "offload cut \(j.workflow)/\(j.stage)"
            }
        case .tick: return "tick"
        case .log: return nil
        }
    }

    static func describe(_ r: JournalRecord) -> String {
        var s = r.kind.rawValue
        if let t = r.task { s += "(\(t)\(r.taskEnd.map { "-\($0)" } ?? "")\(r.attempt.map { "#\($0)" } ?? ""))" }
        if let a = r.agent, r.task == nil { s += "(a\(a))" }
        if let p = r.pilot, r.task == nil, r.agent == nil { s += "(\(p)\(r.state.map { ":\($0)" } ?? ""))" }
        return s
    }

    static func describe(_ r: ManagerReply) -> String {
        switch r {
        case .stored: return "stored"
        case .submitted(let s): return "submitted \(s.first)+\(s.count)"
        case .canceled(let ids): return "canceled \(ids)"
        case .workflow(let w): return "workflow \(w.id) \(w.state)"
        case .pilotID(let p): return "pilot-id \(p)"
        case .pilot(let p): return "pilot \(p.id) \(p.state.rawValue)"
        case .draining(let n): return "draining \(n) agents"
        case .queue(let q): return "queue \(q.id) \(q.state.rawValue)"
        case .wait(let w, _): return "wait finished=\(w.finished)"
        case .failed(let e): return "failed \(e.code.rawValue)"
        }
    }

    static func keys(_ k: [TaskKey]) -> String { "[" + k.map { "\($0.task).\($0.attempt)" }.joined(separator: ",") + "]" }
}
