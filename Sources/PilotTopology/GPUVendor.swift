/// Who made a GPU, which decides the variables that hide the others from a task.
public enum GPUVendor: String, Sendable, Codable, Equatable, CaseIterable {
    case nvidia, amd, intel, unknown

    /// From hwloc's description of an OS device, most specific first: the back end
    /// that found it (CUDA/NVML, RSMI, LevelZero), the vendor an OpenCL or GPU info
    /// attribute names, the PCI vendor id, and last the device's name.
    public init(backend: String?, vendorInfo: String?, pciVendorID: UInt32?, name: String) {
        switch backend?.lowercased() {
        case "cuda", "nvml": self = .nvidia; return
        case "rsmi": self = .amd; return
        case "levelzero": self = .intel; return
        default: break
        }
        if let info = vendorInfo?.lowercased() {
            if info.contains("nvidia") { self = .nvidia; return }
            if info.contains("amd") || info.contains("advanced micro devices") { self = .amd; return }
            if info.contains("intel") { self = .intel; return }
        }
        switch pciVendorID {
        case 0x10de: self = .nvidia; return
        case 0x1002: self = .amd; return
        case 0x8086: self = .intel; return
        default: break
        }
        self = Self(deviceName: name)
    }

    /// From an OS device name alone (`cuda0`, `rsmi1`, `ze0`); unknown for the
    /// vendor-neutral ones (`card0`, `opencl0d0`, `fake0`).
    public init(deviceName name: String) {
        if name.hasPrefix("cuda") || name.hasPrefix("nvml") { self = .nvidia }
        else if name.hasPrefix("rsmi") { self = .amd }
        else if name.hasPrefix("ze") { self = .intel }
        else { self = .unknown }
    }
}
