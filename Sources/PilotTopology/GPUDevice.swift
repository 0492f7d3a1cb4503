/// An accelerator the agent can assign to tasks.
public struct GPUDevice: Sendable, Codable, Equatable {
    /// Node-wide index, ordered by PCI bus id (what `CUDA_DEVICE_ORDER=PCI_BUS_ID` gives).
    public var index: Int
    /// hwloc's OS device name, e.g. `cuda0`, `rsmi1`, `card0`; `fake<N>` for invented ones.
    public var name: String
    /// `"gpu"`, `"coproc"` or `"fake"`.
    public var kind: String
    /// The `NUMADomain.id` the device is attached to; nil when hwloc cannot place it in a single domain.
    public var numaDomain: Int?
    /// Decides CUDA_VISIBLE_DEVICES, ROCR_VISIBLE_DEVICES/HIP_VISIBLE_DEVICES or ZE_AFFINITY_MASK.
    public var vendor: GPUVendor
    /// hwloc's model name (`GPUModel` info) when it reports one.
    public var model: String?

    public init(index: Int, name: String, kind: String, numaDomain: Int?, vendor: GPUVendor? = nil, model: String? = nil) {
        self.index = index
        self.name = name
        self.kind = kind
        self.numaDomain = numaDomain
        self.vendor = vendor ?? GPUVendor(deviceName: name)
        self.model = model
    }
}
