import PilotQuantum

extension CandidatePlan {
    /// One table row per plan, as `pilot cut --auto` and `pilot dreamer predict` print them.
    static func table(_ plans: [CandidatePlan], chosen: String?) -> Table {
        var t = Table(header: ["", "PLAN", "FRAGMENTS", "SUBEXP", "OVERHEAD", "FIDELITY", "ERROR", "MAKESPAN"])
        for p in plans {
            t.rows.append([p.label == chosen ? "*" : "", p.label, p.fragmentQubits.map(String.init).joined(separator: "+"),
                           String(p.subexperiments), CutBudget.format(p.samplingOverhead), String(format: "%.3f", p.fidelity),
                           String(format: "%.3g", p.predictedError), formatDuration(p.predictedMakespan)])
        }
        return t
    }
}
