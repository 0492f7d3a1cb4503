/// The whole report as one self-contained HTML file: inline CSS and SVG, no script, nothing fetched.
public struct ReportHTML: Sendable {
    public init() {}

    public func render(_ r: RunReport) -> String {
        var h = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(SVGText.escape(r.title))</title>
        <style>
        body{font-family:sans-serif;margin:24px;color:#222;max-width:1160px}
        h1{font-size:20px}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ddd}
        table{border-collapse:collapse;font-size:13px}td,th{padding:3px 10px;text-align:right;border-bottom:1px solid #eee}
        th:first-child,td:first-child{text-align:left}.muted{color:#777;font-size:12px}
        .charts{display:flex;gap:24px;flex-wrap:wrap}
        </style></head><body>
        <h1>\(SVGText.escape(r.title))</h1>

        """
        h += "<p class=\"muted\">window \(SVGText.duration(r.end - r.start)) · \(r.taskCount) tasks with bars · \(r.failed) failed · \(r.canceled) canceled · \(r.rows.count) slots</p>\n"
        h += "<h2>Gantt: tasks per core, GPU and QPU slot, coloured by stage</h2>\n"
        h += GanttSVG().render(r)
        h += "<h2>Utilisation over time</h2>\n" + utilisationSVG(r)
        h += "<h2>Stages</h2>\n" + stageTable(r)
        h += "<h2>Queue wait and runtime</h2>\n<div class=\"charts\">"
        h += histogram("queue wait (ready → started)", r.queueWaits) + histogram("runtime (started → ended)", r.runtimes)
        h += "</div>\n<p class=\"muted\">Built by <code>pilot report</code> from the manager's event journal.</p>\n</body></html>\n"
        return h
    }

    func utilisationSVG(_ r: RunReport) -> String {
        let w = 1100.0, hgt = 180.0, left = 50.0, top = 10.0, plotW = w - left - 120, plotH = hgt - 40
        let colours: [SlotKind: String] = [.core: "#0072B2", .gpu: "#009E73", .qpu: "#D55E00"]
        var s = #"<svg xmlns="http://www.w3.org/2000/svg" class="utilisation" width="\#(SVGText.num(w, 0))" height="\#(SVGText.num(hgt, 0))" font-family="sans-serif" font-size="10">"#
        for p in [0.0, 0.5, 1.0] {
            let y = top + plotH * (1 - p)
            s += ##"<line x1="\##(SVGText.num(left))" y1="\##(SVGText.num(y))" x2="\##(SVGText.num(left + plotW))" y2="\##(SVGText.num(y))" stroke="#dddddd"/><text x="\##(SVGText.num(left - 4))" y="\##(SVGText.num(y + 3))" text-anchor="end">\##(Int(p * 100))%</text>"##
        }
        let span = max(r.end - r.start, 1e-9)
        let step = SVGText.tickStep(span)
        var t = 0.0
        while t <= span + 1e-9 {
            let x = left + t / span * plotW
            s += #"<text x="\#(SVGText.num(x))" y="\#(SVGText.num(top + plotH + 14))" text-anchor="middle">\#(SVGText.duration(t))</text>"#
            t += step
        }
        for (k, c) in r.utilisation.enumerated() {
            var pts: [String] = []
            for (i, v) in c.values.enumerated() {
                let x0 = left + (c.binStart + Double(i) * c.binWidth - r.start) / span * plotW
                let x1 = left + (c.binStart + Double(i + 1) * c.binWidth - r.start) / span * plotW
                let y = top + plotH * (1 - v)
                pts.append("\(SVGText.num(x0)),\(SVGText.num(y)) \(SVGText.num(x1)),\(SVGText.num(y))")
            }
            let colour = colours[c.kind] ?? "#333333"
            s += #"<polyline class="curve \#(c.kind.rawValue)" fill="none" stroke="\#(colour)" stroke-width="1.5" points="\#(pts.joined(separator: " "))"/>"#
            let mean = c.values.reduce(0, +) / Double(max(c.values.count, 1))
            s += #"<text x="\#(SVGText.num(left + plotW + 8))" y="\#(SVGText.num(top + 12 + Double(k) * 14))" fill="\#(colour)">\#(c.kind.rawValue)s (\#(c.capacity)): mean \#(SVGText.percent(mean))</text>"#
        }
        return s + "</svg>\n"
    }

    func stageTable(_ r: RunReport) -> String {
        var s = "<table class=\"stages\"><tr><th>stage</th><th>tasks</th><th>start</th><th>makespan</th><th>core-s</th><th>cores</th><th>GPUs</th><th>QPU slots</th></tr>\n"
        for f in r.stages {
            s += "<tr><td>\(SVGText.escape(f.name))</td><td>\(f.tasks)</td><td>+\(SVGText.duration(f.firstStart - r.start))</td><td>\(SVGText.duration(f.makespan))</td>"
            s += "<td>\(SVGText.num(f.coreSeconds, 1))</td><td>\(SVGText.percent(f.coreUtilisation))</td><td>\(f.gpuSeconds > 0 ? SVGText.percent(f.gpuUtilisation) : "-")</td><td>\(f.qpuSeconds > 0 ? SVGText.percent(f.qpuUtilisation) : "-")</td></tr>\n"
        }
        return s + "</table>\n"
    }

    /// 24 bins up to the 99th percentile (the rest land in the last bin), with p50/p90/p99/max.
    func histogram(_ title: String, _ values: [Double]) -> String {
        let w = 520.0, hgt = 200.0, left = 40.0, plotW = w - left - 10, plotH = 130.0, top = 24.0
        var s = #"<svg xmlns="http://www.w3.org/2000/svg" class="histogram" width="\#(SVGText.num(w, 0))" height="\#(SVGText.num(hgt, 0))" font-family="sans-serif" font-size="10">"#
        s += #"<text x="\#(SVGText.num(left))" y="12" font-size="12">\#(SVGText.escape(title)) · \#(values.count) attempts</text>"#
        guard !values.isEmpty else { return s + #"<text x="\#(SVGText.num(left))" y="60">none</text></svg>"# }
        let sorted = values.sorted()
        func q(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))] }
        let hi = max(q(0.99), 1e-6)
        let n = 24
        var counts = [Int](repeating: 0, count: n)
        for v in sorted { counts[min(n - 1, Int(v / hi * Double(n)))] += 1 }
        let peak = Double(counts.max() ?? 1)
        let bw = plotW / Double(n)
        for (i, c) in counts.enumerated() where c > 0 {
            let bh = plotH * Double(c) / peak
            s += ##"<rect x="\##(SVGText.num(left + Double(i) * bw))" y="\##(SVGText.num(top + plotH - bh))" width="\##(SVGText.num(bw - 1))" height="\##(SVGText.num(bh))" fill="#56B4E9"><title>\##(c)</title></rect>"##
        }
        s += #"<text x="\#(SVGText.num(left))" y="\#(SVGText.num(top + plotH + 14))">0</text><text x="\#(SVGText.num(left + plotW))" y="\#(SVGText.num(top + plotH + 14))" text-anchor="end">\#(SVGText.duration(hi))+</text>"#
        s += #"<text x="\#(SVGText.num(left))" y="\#(SVGText.num(top + plotH + 32))">p50 \#(SVGText.duration(q(0.5))) · p90 \#(SVGText.duration(q(0.9))) · p99 \#(SVGText.duration(q(0.99))) · max \#(SVGText.duration(sorted.last!))</text>"#
        return s + "</svg>\n"
    }
}
