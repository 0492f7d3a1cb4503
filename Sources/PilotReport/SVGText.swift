import Foundation

/// Formatting shared by the renderers: fixed decimals (so output is byte-stable for golden tests)
/// and XML escaping.
enum SVGText {
    static func num(_ v: Double, _ decimals: Int = 2) -> String {
        String(format: "%.\(decimals)f", v.isFinite ? v : 0)
    }

    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A readable duration: 840 ms, 12.1 s, 3.5 min.
    static func duration(_ s: Double) -> String {
        if s < 1 { return "\(Int((s * 1000).rounded())) ms" }
        if s < 120 { return num(s, s < 10 ? 2 : 1) + " s" }
        if s < 7200 { return num(s / 60, 1) + " min" }
        return num(s / 3600, 1) + " h"
    }

    static func percent(_ v: Double?) -> String { v.map { "\(Int(($0 * 100).rounded()))%" } ?? "-" }

    /// Tick spacing near `span / 8` on a 1-2-5 scale.
    static func tickStep(_ span: Double) -> Double {
        guard span > 0 else { return 1 }
        let raw = span / 8
        let mag = pow(10, floor(log10(raw)))
        for m in [1.0, 2, 5, 10] where raw <= m * mag { return m * mag }
        return 10 * mag
    }

    /// Colours of stages, in stage order; a colour-blind-safe set (Okabe–Ito, then Tol's).
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#332288",
                          "#88CCEE", "#44AA99", "#117733", "#999933", "#AA4499", "#882255"]
    static let noStage = "#7f7f7f"
}
