import Foundation

/// CPU time of this process's threads of one name, from /proc: what one part of the manager costs
/// (the metrics feed, say), without the noise of a shared machine's wall clock.
enum ThreadCPU {
    /// User + system seconds of the threads whose name (`comm`) is `name`; 0 where /proc is absent.
    static func seconds(named name: String) -> Double {
        let dir = "/proc/self/task"
        guard let tids = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return 0 }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var total = 0.0
        for tid in tids {
            guard let comm = try? String(contentsOfFile: "\(dir)/\(tid)/comm", encoding: .utf8),
                  comm.trimmingCharacters(in: .whitespacesAndNewlines) == name,
                  let stat = try? String(contentsOfFile: "\(dir)/\(tid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            // Fields after the command name: state is the 3rd field of the line, utime the 14th, stime the 15th.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 12, let u = Double(fields[11]), let s = Double(fields[12]) else { continue }
            total += (u + s) / ticks
        }
        return total
    }
}
