/// Which QPU-proxy device a task wants: a named device, any device meeting a qubit requirement,
/// or `auto`: the device a policy picks at bind time from the task's predictions and each device's
/// live leases. Spelled `DEVICE:N`, `any:N`, `any:qubits>=20:N`, `auto`, `auto:fidelity:qubits>=5:N`.
public struct QPUSelector: Sendable, Codable, Hashable {
    public var device: String?      // nil means any device
    public var minQubits: Int
    public var count: Int
    /// Set for `auto`: how the device is chosen among those that fit.
    public var policy: DevicePolicy?

    /// Whether `device` could ever serve this selector, free or not: the device named (or any),
    /// with enough qubits and slots. The manager's check at submission and the scheduler's share it.
    public func couldUse(_ device: QPUDeviceInfo) -> Bool {
        (self.device == nil || self.device == device.name) && device.qubits >= minQubits && device.slots >= count
    }

    public static let syntax = "DEVICE[:N], any[:qubits>=Q][:N] or auto[:fastest|fidelity|balanced][:qubits>=Q][:N]"

    public init(device: String?, minQubits: Int = 0, count: Int = 1, policy: DevicePolicy? = nil) {
        self.device = policy == nil ? device : nil
        self.minQubits = minQubits
        self.count = count
        self.policy = policy
    }

    public init(parsing text: String) throws(CoreError) {
        var parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard !parts.isEmpty, !parts[0].isEmpty else {
            throw CoreError(.invalidRequest, "'\(text)': expected \(Self.syntax)", field: "qpu")
        }
        let name = parts.removeFirst()
        var minQ = 0
        var n = 1
        var policy: DevicePolicy? = name == "auto" ? .balanced : nil
        for (i, p) in parts.enumerated() {
            if p.hasPrefix("qubits>=") {
                guard let q = Int(p.dropFirst("qubits>=".count)), q > 0 else {
                    throw CoreError(.invalidRequest, "'\(text)': qubits>= needs a positive integer", field: "qpu")
                }
                minQ = q
            } else if let c = Int(p), c > 0 {
                n = c
            } else if name == "auto", i == 0, let named = DevicePolicy(rawValue: p) {
                policy = named
            } else {
                let policies = name == "auto" && i == 0 ? ", a policy (fastest, fidelity, balanced)" : ""
                throw CoreError(.invalidRequest, "'\(text)': '\(p)' is neither a slot count\(policies) nor qubits>=Q", field: "qpu")
            }
        }
        device = name == "any" || name == "auto" ? nil : name
        minQubits = minQ
        count = n
        self.policy = policy
    }

    public var text: String {
        var s = policy.map { "auto:\($0.rawValue)" } ?? device ?? "any"
        if minQubits > 0 { s += ":qubits>=\(minQubits)" }
        return s + ":\(count)"
    }
}
