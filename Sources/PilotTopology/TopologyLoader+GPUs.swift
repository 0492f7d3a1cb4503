import CHwloc

extension TopologyLoader {
    /// One entry per physical accelerator. hwloc shows the same card through several
    /// OS devices (cuda0, nvml0, card0, renderD128, opencl0d0...), so devices are grouped
    /// by their PCI parent and the most specific name wins.
    static func realGPUs(_ topology: HwlocTopology, numaObjects: [hwloc_obj_t]) -> [GPUDevice] {
        struct Candidate {
            var object: hwloc_obj_t
            var name: String
            var kind: String
            var busID: [UInt32]?
            var rank: Int
        }
        var byDevice: [Int: Candidate] = [:]
        var order: [Int] = []
        for device in topology.osDevices {
            let type = chwloc_osdev_type(device)
            let kind: String
            switch type {
            case HWLOC_OBJ_OSDEV_GPU: kind = "gpu"
            case HWLOC_OBJ_OSDEV_COPROC: kind = "coproc"
            default: continue
            }
            let name = device.pointee.name.map { String(cString: $0) } ?? "osdev\(device.pointee.logical_index)"
            let pci = pciAncestor(of: device)
            let key = Int(bitPattern: pci ?? device)
            let candidate = Candidate(object: device, name: name, kind: kind,
                                      busID: pci.flatMap(busID), rank: nameRank(name))
            if let existing = byDevice[key] {
                if candidate.rank < existing.rank { byDevice[key] = candidate }
            } else {
                byDevice[key] = candidate
                order.append(key)
            }
        }
        let chosen = order.compactMap { byDevice[$0] }.enumerated().sorted { a, b in
            switch (a.element.busID, b.element.busID) {
            case let (x?, y?): return x.lexicographicallyPrecedes(y)
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return a.offset < b.offset
            }
        }.map(\.element)
        return chosen.enumerated().map { index, candidate in
            GPUDevice(index: index, name: candidate.name, kind: candidate.kind,
                      numaDomain: numaDomain(of: candidate.object, topology, numaObjects),
                      vendor: vendor(of: candidate.object, name: candidate.name),
                      model: info(candidate.object, "GPUModel"))
        }
    }

    /// The card's vendor, from the chosen OS device (hwloc's rsmi, levelzero, opencl,
    /// cuda and nvml back ends set `subtype` and a vendor info attribute) or its PCI parent.
    static func vendor(of device: hwloc_obj_t, name: String) -> GPUVendor {
        let backend = device.pointee.subtype.map { String(cString: $0) } ?? info(device, "Backend")
        let vendorInfo = info(device, "GPUVendor") ?? info(device, "OpenCLPlatformVendor")
            ?? info(device, "LevelZeroVendor") ?? info(device, "OpenCLPlatformName")
        let pciVendor = pciAncestor(of: device).map { UInt32(chwloc_pcidev_vendor($0)) }
        return GPUVendor(backend: backend, vendorInfo: vendorInfo, pciVendorID: pciVendor, name: name)
    }

    static func info(_ object: hwloc_obj_t, _ key: String) -> String? {
        hwloc_obj_get_info_by_name(object, key).map { String(cString: $0) }
    }

    static func fakeGPUs(perDomain count: Int, domains: [NUMADomain]) -> [GPUDevice] {
        var gpus: [GPUDevice] = []
        for domain in domains {
            for _ in 0..<count {
                gpus.append(GPUDevice(index: gpus.count, name: "fake\(gpus.count)", kind: "fake",
                                      numaDomain: domain.id))
            }
        }
        return gpus
    }

    /// The NUMA domain of an I/O object is the nodeset of its first non-I/O ancestor.
    static func numaDomain(of object: hwloc_obj_t, _ topology: HwlocTopology,
                           _ numaObjects: [hwloc_obj_t]) -> Int? {
        guard !numaObjects.isEmpty else { return 0 }
        guard let ancestor = hwloc_get_non_io_ancestor_obj(topology.handle, object) else { return nil }
        let nodes = Set(Bitmap.indices(of: ancestor.pointee.nodeset))
        let matching = numaObjects.filter { nodes.contains(Int($0.pointee.os_index)) }
        if matching.count == 1 { return Int(matching[0].pointee.logical_index) }
        // Attached to a package with several domains: any of them is close; attached to the
        // whole machine: no locality worth reporting.
        if matching.count > 1 && ancestor != topology.root { return Int(matching[0].pointee.logical_index) }
        return nil
    }

    static func pciAncestor(of object: hwloc_obj_t) -> hwloc_obj_t? {
        var current = object.pointee.parent
        while let node = current {
            if node.pointee.type == HWLOC_OBJ_PCI_DEVICE { return node }
            if node.pointee.cpuset != nil { return nil }
            current = node.pointee.parent
        }
        return nil
    }

    static func busID(_ pci: hwloc_obj_t) -> [UInt32]? {
        var domain: UInt32 = 0, bus: UInt32 = 0, dev: UInt32 = 0, function: UInt32 = 0
        guard chwloc_pcidev_busid(pci, &domain, &bus, &dev, &function) == 0 else { return nil }
        return [domain, bus, dev, function]
    }

    /// Lower is preferred: the names compute runtimes use before the display-side ones.
    static func nameRank(_ name: String) -> Int {
        let preferred = ["cuda", "rsmi", "ze", "nvml", "opencl", "card", "renderD"]
        return preferred.firstIndex { name.hasPrefix($0) } ?? preferred.count
    }
}
