extension NodeTopology {
    /// A human summary for `pilot topology` and agent start-up logs.
    public func renderTable() -> String {
        var lines: [String] = []
        lines.append("Host \(hostname) (\(source))")
        lines.append("  packages: \(packages)  NUMA domains: \(numaDomains.count)  cores: \(cores)  PUs: \(pus)"
                     + "  GPUs: \(gpus.count)  memory: \(Self.formatBytes(totalMemoryBytes))")
        let header = ["NUMA", "P#", "memory", "cores", "packages", "PUs"]
        var rows: [[String]] = []
        for domain in numaDomains {
            let corePackages = Array(Set(domain.cores.map(\.package))).sorted().map(String.init)
            rows.append(["\(domain.id)", "\(domain.osIndex)", Self.formatBytes(domain.memoryBytes),
                         "\(domain.cores.count)",
                         corePackages.isEmpty ? "-" : corePackages.joined(separator: ","),
                         domain.cores.isEmpty ? "-" : CPUList.format(domain.cores.flatMap(\.puOSIndices))])
        }
        lines.append(contentsOf: Self.align([header] + rows))
        if !gpus.isEmpty {
            let gpuRows = gpus.map { gpu in
                ["\(gpu.index)", gpu.name, gpu.kind, gpu.vendor.rawValue, gpu.model ?? "-", gpu.numaDomain.map(String.init) ?? "-"]
            }
            lines.append(contentsOf: Self.align([["GPU", "name", "kind", "vendor", "model", "NUMA"]] + gpuRows))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func align(_ rows: [[String]]) -> [String] {
        guard let columns = rows.map(\.count).max() else { return [] }
        let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        return rows.map { row in
            "  " + row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ")
        }
    }

    static func formatBytes(_ bytes: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) B" }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }
}
