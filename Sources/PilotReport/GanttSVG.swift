/// The Gantt chart as standalone SVG: one row per core, GPU and QPU slot, one `rect.bar` per task
/// attempt and slot, coloured by stage, with a time axis in seconds from the report's start.
public struct GanttSVG: Sendable {
    public var width: Double
    public var labelWidth: Double

    public init(width: Double = 1100, labelWidth: Double = 180) { self.width = width; self.labelWidth = labelWidth }

    public func render(_ r: RunReport) -> String {
        let rowH = min(16, max(2, 640 / Double(max(r.rows.count, 1))))
        let top = 24.0, legendH = 22.0
        let plotW = width - labelWidth - 20
        let height = top + Double(r.rows.count) * rowH + 28 + legendH
        let span = max(r.end - r.start, 1e-9)
        func x(_ t: Double) -> Double { labelWidth + (t - r.start) / span * plotW }
        let colour = Dictionary(uniqueKeysWithValues: r.stageOrder.enumerated().map { ($1, SVGText.palette[$0 % SVGText.palette.count]) })

        var s = #"<svg xmlns="http://www.w3.org/2000/svg" class="gantt" width="\#(SVGText.num(width, 0))" height="\#(SVGText.num(height, 0))" viewBox="0 0 \#(SVGText.num(width, 0)) \#(SVGText.num(height, 0))" font-family="sans-serif" font-size="10">"#
        s += "\n<title>\(SVGText.escape(r.title)): tasks per slot over time</title>\n"
        s += ##"<rect x="0" y="0" width="\##(SVGText.num(width, 0))" height="\##(SVGText.num(height, 0))" fill="#ffffff"/>"## + "\n"
        // Row bands and labels; labels only where they fit.
        for (i, row) in r.rows.enumerated() {
            let y = top + Double(i) * rowH
            if i % 2 == 1 {
                s += ##"<rect x="\##(SVGText.num(labelWidth))" y="\##(SVGText.num(y))" width="\##(SVGText.num(plotW))" height="\##(SVGText.num(rowH))" fill="#f3f3f3"/>"## + "\n"
            }
            if rowH >= 8 {
                s += #"<text x="\#(SVGText.num(labelWidth - 4))" y="\#(SVGText.num(y + rowH - 3))" text-anchor="end">\#(SVGText.escape(row.label))</text>"# + "\n"
            }
        }
        // Axis.
        let axisY = top + Double(r.rows.count) * rowH
        let step = SVGText.tickStep(span)
        var t = 0.0
        while t <= span + 1e-9 {
            let xx = x(r.start + t)
            s += ##"<line x1="\##(SVGText.num(xx))" y1="\##(SVGText.num(top))" x2="\##(SVGText.num(xx))" y2="\##(SVGText.num(axisY + 4))" stroke="#cccccc" stroke-width="0.5"/>"##
            s += #"<text x="\#(SVGText.num(xx))" y="\#(SVGText.num(axisY + 15))" text-anchor="middle">\#(SVGText.duration(t))</text>"# + "\n"
            t += step
        }
        // Bars.
        for b in r.bars {
            let y = top + Double(b.row) * rowH
            let w = max(0.5, x(b.end) - x(b.start))
            let fill = b.stage.flatMap { colour[$0] } ?? SVGText.noStage
            let stroke = b.outcome == "failed" ? ##" stroke="#cc0000" stroke-width="1""## : ""
            s += #"<rect class="bar \#(b.outcome)" data-task="\#(b.task)" data-row="\#(b.row)" x="\#(SVGText.num(x(b.start)))" y="\#(SVGText.num(y + 0.5))" width="\#(SVGText.num(w))" height="\#(SVGText.num(max(1, rowH - 1)))" fill="\#(fill)"\#(stroke)>"#
            s += "<title>task \(b.task) attempt \(b.attempt)\(b.stage.map { " · " + SVGText.escape($0) } ?? "") · \(b.outcome) · \(SVGText.duration(b.start - r.start)) + \(SVGText.duration(b.end - b.start))</title></rect>\n"
        }
        // Legend.
        var lx = labelWidth
        let ly = axisY + 26
        for name in r.stageOrder + (r.bars.contains { $0.stage == nil } ? ["(no stage)"] : []) {
            let fill = colour[name] ?? SVGText.noStage
            s += #"<rect x="\#(SVGText.num(lx))" y="\#(SVGText.num(ly))" width="10" height="10" fill="\#(fill)"/><text x="\#(SVGText.num(lx + 14))" y="\#(SVGText.num(ly + 9))">\#(SVGText.escape(name))</text>"# + "\n"
            lx += 24 + Double(name.count) * 6
        }
        s += "</svg>\n"
        return s
    }
}
