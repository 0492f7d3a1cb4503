import Foundation
import PilotCore

/// `driver: command`: one task per round running the stage's command with `{round}` filled in.
/// It stops when a round's task fails, or when its result JSON has `"converged": true` or
/// `"done": true`; the last result JSON is the summary.
public struct CommandIterativeDriver: IterativeDriver {
    public let plan: IterativeStagePlan
    public private(set) var round = 0
    public private(set) var lastResult: String?
    private let command: [String]

    public init(plan: IterativeStagePlan) throws(WorkflowError) {
        guard case .command(let c) = plan.driver else {
            throw WorkflowError(.driverFailed, "the command driver needs 'driver: command'", field: "stages.\(plan.stage).driver")
        }
        self.plan = plan
        self.command = c
    }

    public mutating func nextRound(previousResults: [TaskOutcomeSummary]) -> [TaskSpec]? {
        if let last = previousResults.last {
            lastResult = last.resultJSON
            if !last.succeeded || Self.saysDone(last.resultJSON) { return nil }
        }
        var t = plan.taskTemplate
        let r = String(round)
        t.command = command.map { $0.replacingAll("{round}", with: r) }
        t.environment["PILOT_ROUND"] = r
        round += 1
        return [t]
    }

    public var summary: String { lastResult ?? "{\"rounds\":\(round)}" }

    static func saysDone(_ json: String?) -> Bool {
        guard let data = json?.data(using: .utf8),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return false }
        return (obj["converged"] as? Bool) == true || (obj["done"] as? Bool) == true
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var out = ""
        var rest = Substring(self)
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
