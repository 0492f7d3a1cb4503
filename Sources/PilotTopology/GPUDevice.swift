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

    public init(index: Int, name: String, kind: String, numaDomain: Int?) {
        self.index = index
        self.name = name
        self.kind = kind
        self.numaDomain = numaDomain
    }
}
