import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Raw mode for the controlling terminal: keys arrive one at a time without echo, so `q` quits at
/// once. `restore()` puts back the settings found at start; callers restore on every way out.
struct TerminalMode {
    struct Failure: Error, CustomStringConvertible {
        var code: String
        var message: String
        var errno: Int32
        var description: String { "\(message): \(String(cString: strerror(errno)))" }
    }

    private var saved = termios()

    static var isTerminal: Bool { isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 }

    static func enterRaw() throws(Failure) -> TerminalMode {
        var mode = TerminalMode()
        guard tcgetattr(STDIN_FILENO, &mode.saved) == 0 else { throw Failure(code: "tcgetattr", message: "cannot read the terminal's settings", errno: errno) }
        var raw = mode.saved
        // No line editing, no echo, no signal keys (Ctrl-C arrives as a byte and quits like q).
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == 0 else { throw Failure(code: "tcsetattr", message: "cannot put the terminal in raw mode", errno: errno) }
        return mode
    }

    func restore() {
        var s = saved
        _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &s)
    }

    /// Columns and rows, or 80×24 when the size is unknown.
    static func size() -> (columns: Int, rows: Int) {
        var w = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &w) == 0, w.ws_col > 0, w.ws_row > 0 else { return (80, 24) }
        return (Int(w.ws_col), Int(w.ws_row))
    }
}
