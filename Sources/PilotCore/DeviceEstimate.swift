/// A prediction for one quantum task on one device, made when the task is submitted (the circuit
/// is parsed and routed then, on the manager's work pool), so that `qpu: auto` can choose at bind
/// time from these values and the device's live leases alone: the scheduler stays pure and cheap.
public struct DeviceEstimate: Sendable, Codable, Hashable {
    public var device: String
    /// Predicted seconds of the task on the device (the performance model's runtime).
    public var runtime: Double
    /// Estimated success probability of the routed circuit on the device, 0...1.
    public var fidelity: Double

    public init(device: String, runtime: Double, fidelity: Double) {
        self.device = device
        self.runtime = runtime
        self.fidelity = fidelity
    }

    /// More devices than any site has: bounds what one task may carry.
    public static let maxCount = 256

    /// Refuses values a policy cannot rank: `field` names the list in errors.
    public static func validate(_ list: [DeviceEstimate], field: String) throws(CoreError) {
        guard list.count <= maxCount else {
            throw CoreError(.invalidRequest, "\(list.count) estimates; at most \(maxCount)", field: field)
        }
        var seen: Set<String> = []
        for (i, e) in list.enumerated() {
            guard !e.device.isEmpty, seen.insert(e.device).inserted else {
                throw CoreError(.invalidRequest, "device '\(e.device)' is empty or repeated", field: "\(field)[\(i)].device")
            }
            guard e.runtime.isFinite, e.runtime >= 0 else {
                throw CoreError(.invalidRequest, "runtime must be a finite number of seconds ≥ 0, got \(e.runtime)", field: "\(field)[\(i)].runtime")
            }
            guard e.fidelity.isFinite, (0...1).contains(e.fidelity) else {
                throw CoreError(.invalidRequest, "fidelity must be within 0...1, got \(e.fidelity)", field: "\(field)[\(i)].fidelity")
            }
        }
    }
}
