import Foundation

/// A Prometheus text exposition parsed into samples: `name{labels}` → value, exactly as exposed
/// (labels in the order the manager writes them).
struct MetricsText {
    var samples: [String: Double] = [:]
    var types: [String: String] = [:]

    init(_ text: String) {
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                if parts.count >= 4 { types[String(parts[2])] = String(parts[3]) }
                continue
            }
            guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "), let v = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = v
        }
    }

    subscript(_ key: String) -> Double? { samples[key] }
}
