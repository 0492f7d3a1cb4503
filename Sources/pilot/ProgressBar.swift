import Foundation

/// A one-line progress bar, drawn only when stderr is a terminal.
struct ProgressBar {
    let enabled = isatty(2) == 1
    var lastDraw = 0.0

    mutating func draw(done: Int, failed: Int, total: Int, running: Int, force: Bool = false) {
        guard enabled, total > 0 else { return }
        let t = Date().timeIntervalSince1970
        guard force || t - lastDraw > 0.1 else { return }
        lastDraw = t
        let width = 30
        let filled = min(width, (done + failed) * width / total)
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let line = "\r\(bar) \(done + failed)/\(total) done=\(done) failed=\(failed) running=\(running)  "
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() { if enabled { FileHandle.standardError.write(Data("\n".utf8)) } }
}
