import Foundation
import PilotProtocol

/// Plain aligned columns for terminal output.
struct Table {
    var header: [String]
    var rows: [[String]] = []

    func render() -> String {
        var width = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() where i < width.count { width[i] = max(width[i], c.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i == cells.count - 1 ? c : c.padding(toLength: width[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }
}

func formatTime(_ t: Double?) -> String {
    guard let t else { return "-" }
    let f = DateFormatter()
    f.dateFormat = "HH:mm:ss"
    return f.string(from: Date(timeIntervalSince1970: t))
}

func formatDuration(_ s: Double) -> String {
    if s < 1 { return String(format: "%.0f ms", s * 1000) }
    if s < 120 { return String(format: "%.2f s", s) }
    return String(format: "%dm%02ds", Int(s) / 60, Int(s) % 60)
}

/// `--json` output: the API's coding (snake_case keys), pretty-printed.
func printJSON<T: Encodable>(_ value: T) throws {
    let e = APICoding.encoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try e.encode(value), as: UTF8.self))
}
