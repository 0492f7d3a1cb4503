import CHwloc
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns one loaded hwloc topology. Internal: raw hwloc pointers never leave this module.
final class HwlocTopology {
    let handle: hwloc_topology_t
    let isThisSystem: Bool

    init(source: TopologySource) throws(TopologyError) {
        var topology: hwloc_topology_t?
        guard hwloc_topology_init(&topology) == 0, let topology else {
            throw TopologyError(.hwlocInit, "hwloc_topology_init failed", errno: errno)
        }
        handle = topology
        isThisSystem = source == .native

        // GPUs and coprocessors are OS devices, which hwloc 2 filters out unless asked.
        hwloc_topology_set_io_types_filter(handle, HWLOC_TYPE_FILTER_KEEP_IMPORTANT)

        switch source {
        case .native:
            break
        case .synthetic(let description):
            if hwloc_topology_set_synthetic(handle, description) != 0 {
                throw TopologyError(.invalidSynthetic,
                                    "hwloc rejected synthetic description \"\(description)\"", errno: errno)
            }
        case .xml(let path):
            // hwloc's own message for a missing file is only printed to stderr; check first.
            if access(path, R_OK) != 0 {
                throw TopologyError(.xmlNotFound, "cannot read topology XML \(path)", errno: errno)
            }
            if hwloc_topology_set_xml(handle, path) != 0 {
                throw TopologyError(.invalidXML, "hwloc rejected topology XML \(path)", errno: errno)
            }
        }

        if hwloc_topology_load(handle) != 0 {
            let code: TopologyError.Code = switch source {
            case .native: .load
            case .synthetic: .invalidSynthetic
            case .xml: .invalidXML
            }
            throw TopologyError(code, "hwloc_topology_load failed for \(source.label)", errno: errno)
        }
    }

    deinit {
        hwloc_topology_destroy(handle)
    }

    func objects(_ type: hwloc_obj_type_t) -> [hwloc_obj_t] {
        let count = hwloc_get_nbobjs_by_type(handle, type)
        guard count > 0 else { return [] }
        return (0..<UInt32(count)).compactMap { hwloc_get_obj_by_type(handle, type, $0) }
    }

    var osDevices: [hwloc_obj_t] {
        var result: [hwloc_obj_t] = []
        var previous: hwloc_obj_t? = nil
        while let device = hwloc_get_next_osdev(handle, previous) {
            result.append(device)
            previous = device
        }
        return result
    }

    var root: hwloc_obj_t { hwloc_get_root_obj(handle) }

    /// The calling thread's CPU affinity as OS PU numbers.
    func callingThreadAffinity() throws(TopologyError) -> [Int] {
        let set = Bitmap()
        if hwloc_get_cpubind(handle, set.handle, Int32(HWLOC_CPUBIND_THREAD.rawValue)) != 0 {
            throw TopologyError(.cpuBinding, "cannot read the calling thread's CPU affinity", errno: errno)
        }
        return set.indices
    }

    func bindCallingThread(to pus: [Int]) throws(TopologyError) {
        let set = Bitmap()
        for pu in pus { hwloc_bitmap_set(set.handle, UInt32(pu)) }
        if hwloc_set_cpubind(handle, set.handle, Int32(HWLOC_CPUBIND_THREAD.rawValue)) != 0 {
            throw TopologyError(.cpuBinding, "cannot bind the calling thread to PUs \(CPUList.format(pus))", errno: errno)
        }
    }

    func exportXML(to path: String) throws(TopologyError) {
        if hwloc_topology_export_xml(handle, path, 0) != 0 {
            throw TopologyError(.export, "cannot write topology XML to \(path)", errno: errno)
        }
    }
}
