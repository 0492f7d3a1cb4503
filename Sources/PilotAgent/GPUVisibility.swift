import PilotTopology

/// The variables that show a task only the GPUs it was bound to, for each vendor's
/// runtime on the node: CUDA_VISIBLE_DEVICES (NVIDIA, and what scripts read),
/// ROCR_VISIBLE_DEVICES and HIP_VISIBLE_DEVICES (AMD ROCm), ZE_AFFINITY_MASK
/// (Intel Level Zero).
public struct GPUVisibility: Sendable, Equatable {
    /// The node's GPUs by node-wide index, with their vendor.
    public var vendors: [Int: GPUVendor]

    public init(vendors: [Int: GPUVendor]) { self.vendors = vendors }

    /// `names` are the node's GPUs (index → hwloc name); `known` the vendors hwloc
    /// reported by name, which wins over guessing from the name.
    public init(names: [(index: Int, name: String)], known: [String: GPUVendor] = [:]) {
        vendors = Dictionary(names.map { ($0.index, known[$0.name] ?? GPUVendor(deviceName: $0.name)) },
                             uniquingKeysWith: { a, _ in a })
    }

    public func environment(assigned: [Int]) -> [String: String] {
        guard !vendors.isEmpty || !assigned.isEmpty else { return [:] }
        var env: [String: String] = [:]
        let mine = Set(assigned)
        /// Positions among this vendor's GPUs: each runtime numbers only its own devices.
        func local(_ vendor: GPUVendor) -> (all: Int, chosen: [Int]) {
            let ofVendor = vendors.filter { $0.value == vendor }.keys.sorted()
            return (ofVendor.count, ofVendor.enumerated().filter { mine.contains($0.element) }.map(\.offset))
        }
        let list = { (indices: [Int]) in indices.map(String.init).joined(separator: ",") }
        // Node-wide indices, as before vendors were told apart (fake and unnamed GPUs included).
        env["CUDA_VISIBLE_DEVICES"] = list(assigned.sorted())

        let amd = local(.amd)
        if amd.all > 0 {
            // ROCr hides the others and renumbers what is left from 0; HIP reads
            // HIP_VISIBLE_DEVICES and CUDA_VISIBLE_DEVICES over that renumbered set,
            // so both count from 0 here. "-1" matches no device: the task gets none.
            env["ROCR_VISIBLE_DEVICES"] = amd.chosen.isEmpty ? "-1" : list(amd.chosen)
            let renumbered = list(Array(0..<amd.chosen.count))
            env["HIP_VISIBLE_DEVICES"] = renumbered
            if vendors.values.allSatisfy({ $0 == .amd }) { env["CUDA_VISIBLE_DEVICES"] = renumbered }
        }
        let intel = local(.intel)
        if intel.all > 0 {
            // Level Zero skips mask entries no device has: one past the last hides them all.
            env["ZE_AFFINITY_MASK"] = intel.chosen.isEmpty ? String(intel.all) : list(intel.chosen)
        }
        return env
    }
}
