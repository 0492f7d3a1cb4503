import Foundation
import PilotProtocol

/// The end-of-run report of a workflow: per stage, tasks, makespan, utilisation of cores, GPUs and
/// QPU slots over the stage's makespan, and quantum results against their exact values.
struct WorkflowSummary: Codable {
    struct Stage: Codable {
        var name: String
        var motif: String
        var state: String
        var tasks: Int
        var makespanSeconds: Double
        var coreUtilisation: Double
        var gpuUtilisation: Double?
        var qpuUtilisation: Double?
        var result: String?
        var reason: String?
    }
    var workflow: Int64
    var state: String
    var makespanSeconds: Double
    var utilisation: Double
    var stages: [Stage]

    init(info: WorkflowInfo, tasks: [TaskInfo], cores: Int, gpus: Int, qpuSlots: Int) {
        workflow = info.id
        state = info.state
        let mine = tasks.filter { $0.startedAt != nil }
        let first = mine.compactMap(\.startedAt).min() ?? 0
        let last = mine.compactMap(\.endedAt).max() ?? first
        makespanSeconds = max(0, last - first)
        let coreSeconds = info.stages.reduce(0) { $0 + $1.coreSeconds }
        utilisation = makespanSeconds > 0 ? coreSeconds / (Double(max(cores, 1)) * makespanSeconds) : 0
        stages = info.stages.map { s in
            let span = max(0, (s.lastEnd ?? 0) - (s.firstStart ?? 0))
            func util(_ used: Double, _ capacity: Int) -> Double? {
                capacity > 0 && span > 0 && used > 0 ? used / (Double(capacity) * span) : nil
            }
            return Stage(name: s.name, motif: s.motif, state: s.state, tasks: s.total, makespanSeconds: span,
                         coreUtilisation: util(s.coreSeconds, cores) ?? 0, gpuUtilisation: util(s.gpuSeconds, gpus),
                         qpuUtilisation: util(s.qpuSeconds, qpuSlots), result: s.result?.text, reason: s.reason)
        }
    }

    var text: String {
        var t = Table(header: ["STAGE", "MOTIF", "STATE", "TASKS", "MAKESPAN", "CORES", "GPUS", "QPU", "RESULT"])
        func pct(_ v: Double?) -> String { v.map { String(format: "%.0f%%", $0 * 100) } ?? "-" }
        for s in stages {
            t.rows.append([s.name, s.motif, s.state, String(s.tasks), formatDuration(s.makespanSeconds), pct(s.coreUtilisation),
                           pct(s.gpuUtilisation), pct(s.qpuUtilisation), Self.describe(s.result) ?? s.reason ?? ""])
        }
        return "workflow \(workflow): \(state)  makespan \(formatDuration(makespanSeconds))  core utilisation \(pct(utilisation))\n" + t.render()
    }

    /// Results that carry an exact reference (cutting, VQE) are shown against it.
    static func describe(_ json: String?) -> String? {
        guard let json, let obj = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return json.map { String($0.prefix(80)) } }
        if let values = obj["values"] as? [Double], let exact = obj["exact"] as? [Double] {
            let se = obj["standard_errors"] as? [Double] ?? values.map { _ in 0 }
            return zip(zip(values, se), exact).map { v, x in
                String(format: "%.4f ± %.4f (exact %.4f, %.1fσ)", v.0, v.1, x, v.1 > 0 ? abs(v.0 - x) / v.1 : 0)
            }.joined(separator: "; ")
        }
        if let e = (obj["best_energy"] ?? obj["energy"]) as? Double, let x = (obj["exact_energy"] ?? obj["exact"]) as? Double {
            let rounds = (obj["rounds"] as? Int).map { " in \($0) rounds" } ?? ""
            return String(format: "E=%.5f (exact %.5f, err %.1e)", e, x, abs(e - x)) + rounds
        }
        if let acc = obj["test_accuracy"] as? Double ?? obj["final_test_accuracy"] as? Double {
            return String(format: "test accuracy %.2f", acc)
        }
        return String(json.trimmingCharacters(in: .whitespacesAndNewlines).prefix(80))
    }
}
