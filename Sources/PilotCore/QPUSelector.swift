/// Which QPU-proxy device a task wants: a named device, or any device meeting a qubit requirement.
/// Spelled `DEVICE:N`, `any:N`, or `any:qubits>=20:N` on the command line.
public struct QPUSelector: Sendable, Codable, Hashable {
    public var device: String?      // nil means any device
    public var minQubits: Int
    public var count: Int

    public init(device: String?, minQubits: Int = 0, count: Int = 1) {
        self.device = device
        self.minQubits = minQubits
        self.count = count
    }

    public init(parsing text: String) throws(CoreError) {
        var parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard !parts.isEmpty, !parts[0].isEmpty else {
            throw CoreError(.invalidRequest, "'\(text)': expected DEVICE[:N] or any[:qubits>=Q][:N]", field: "qpu")
        }
        let name = parts.removeFirst()
        var minQ = 0
        var n = 1
        for p in parts {
            if p.hasPrefix("qubits>=") {
                guard let q = Int(p.dropFirst("qubits>=".count)), q > 0 else {
                    throw CoreError(.invalidRequest, "'\(text)': qubits>= needs a positive integer", field: "qpu")
                }
                minQ = q
            } else if let c = Int(p), c > 0 {
                n = c
            } else {
                throw CoreError(.invalidRequest, "'\(text)': '\(p)' is neither a slot count nor qubits>=Q", field: "qpu")
            }
        }
        device = name == "any" ? nil : name
        minQubits = minQ
        count = n
    }

    public var text: String {
        var s = device ?? "any"
        if minQubits > 0 { s += ":qubits>=\(minQubits)" }
        return s + ":\(count)"
    }
}
