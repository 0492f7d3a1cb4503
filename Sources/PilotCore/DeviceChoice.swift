/// Picks a device for one task from per-device predictions made outside the scheduler, so that
/// a pure caller (the reactor) needs nothing but these values: no model, no clock, no I/O.
public struct DeviceChoice: Sendable, Codable, Hashable {
    /// What is known of one candidate device when the task is bound.
    public struct Option: Sendable, Codable, Hashable {
        public var device: String
        /// Predicted seconds of the task on the device (`PerformanceModel.runtime`).
        public var runtime: Double
        /// Seconds until a slot of the device is free: its live queue and leases, predicted.
        public var wait: Double
        /// Estimated success probability of the routed circuit on the device.
        public var fidelity: Double

        public init(device: String, runtime: Double, wait: Double, fidelity: Double) {
            self.device = device; self.runtime = runtime; self.wait = wait; self.fidelity = fidelity
        }

        /// Predicted seconds from now to the task's end.
        public var end: Double { wait + runtime }

        func score(_ policy: DevicePolicy) -> Double {
            switch policy {
            case .fastest: return end
            case .fidelity: return -fidelity
            case .balanced: return end / max(fidelity, 1e-12)
            }
        }
    }

    public var policy: DevicePolicy
    public var chosen: Option
    /// Every option with its score, best first: what the journal records with the decision.
    public var ranked: [Option]

    /// nil when there is no option.
    public static func choose(_ options: [Option], policy: DevicePolicy) -> DeviceChoice? {
        let ranked = options.sorted {
            ($0.score(policy), $0.end, $0.device) < ($1.score(policy), $1.end, $1.device)
        }
        guard let first = ranked.first else { return nil }
        return DeviceChoice(policy: policy, chosen: first, ranked: ranked)
    }
}
