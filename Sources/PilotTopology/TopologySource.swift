/// Where the hardware description comes from.
public enum TopologySource: Sendable, Equatable {
    /// The machine this process runs on.
    case native
    /// An hwloc synthetic description such as `"package:2 numa:2 core:8 pu:1"`.
    case synthetic(String)
    /// An XML file written by `lstopo` or `TopologyLoader.exportXML`.
    case xml(path: String)
}

extension TopologySource {
    /// The label stored in `NodeTopology.source`, so a report says what was measured.
    var label: String {
        switch self {
        case .native: "native"
        case .synthetic(let description): "synthetic:\(description)"
        case .xml(let path): "xml:\(path)"
        }
    }
}
