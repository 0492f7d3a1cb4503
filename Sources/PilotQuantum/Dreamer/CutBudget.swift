import Foundation

/// Limits a cut plan must keep to: how much more sampling it may cost, how many shots it may
/// spend, and how large an error it may be expected to make.
public struct CutBudget: Sendable, Codable, Hashable {
    /// Largest sampling overhead (Π γ² over gate cuts × κ² per wire cut); nil: no limit.
    public var maxSamplingOverhead: Double?
    /// Largest number of shots over all sub-experiments; nil: no limit.
    public var maxTotalShots: Int?
    /// Largest predicted error of the reconstructed value (see `CandidatePlan.predictedError`).
    public var errorTarget: Double?

    public init(maxSamplingOverhead: Double? = nil, maxTotalShots: Int? = nil, errorTarget: Double? = nil) {
        self.maxSamplingOverhead = maxSamplingOverhead
        self.maxTotalShots = maxTotalShots
        self.errorTarget = errorTarget
    }

    public static let unlimited = CutBudget()

    /// Why `plan` breaks the budget, or nil when it keeps to it.
    public func violation(_ plan: CandidatePlan) -> String? {
        if let m = maxSamplingOverhead, plan.samplingOverhead > m * (1 + 1e-9) {
            return "sampling overhead \(Self.format(plan.samplingOverhead)) > \(Self.format(m))"
        }
        if let m = maxTotalShots, plan.totalShots > m {
            return "\(plan.totalShots) shots > \(m)"
        }
        if let e = errorTarget, plan.predictedError > e {
            return "predicted error \(Self.format(plan.predictedError)) > \(Self.format(e))"
        }
        return nil
    }

    public static func format(_ x: Double) -> String {
        x >= 100 ? String(Int(x.rounded())) : String(format: "%.3g", x)
    }

    public var description: String {
        var parts: [String] = []
        if let m = maxSamplingOverhead { parts.append("sampling overhead ≤ \(Self.format(m))") }
        if let m = maxTotalShots { parts.append("shots ≤ \(m)") }
        if let e = errorTarget { parts.append("error ≤ \(Self.format(e))") }
        return parts.isEmpty ? "no limit" : parts.joined(separator: ", ")
    }
}
