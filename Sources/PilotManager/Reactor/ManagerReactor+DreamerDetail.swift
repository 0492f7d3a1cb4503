import Foundation
import PilotProtocol

extension ManagerReactor {
    /// The `cut_planned` record's detail: the plan's shape, and for an optimizer-planned stage the
    /// chosen plan, its predicted makespan, devices and runners-up (snake_case, as the API writes).
    static func cutPlannedDetail(_ s: CutSummary) -> String {
        (try? String(decoding: APICoding.encoder().encode(s), as: UTF8.self))
            ?? #"{"cuts":\#(s.cuts),"fragments":\#(s.fragments),"subexperiments":\#(s.subexperiments)}"#
    }

    /// The `stage_state` detail of an optimizer-planned stage: predicted against measured makespan,
    /// the latter from the plan's arrival to the stage's end (both the reactor's own times).
    static func dreamerStageDetail(_ p: DreamerStagePlan, endedAt: Double) -> String {
        struct Detail: Encodable {
            var plan: String
            var predictedMakespan: Double
            var measuredMakespan: Double
        }
        let d = Detail(plan: p.plan, predictedMakespan: p.predictedMakespan, measuredMakespan: endedAt - p.plannedAt)
        return (try? String(decoding: APICoding.encoder().encode(d), as: UTF8.self)) ?? "{}"
    }
}
