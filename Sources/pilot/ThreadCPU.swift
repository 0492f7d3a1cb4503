import Foundation

/// CPU time of this process's threads by name, from /proc: what one part of the manager costs
/// (the reactor, the store writer, the metrics feed), without the noise of a shared machine's wall clock.
enum ThreadCPU {
    /// User + system seconds of the threads whose name (`comm`) is `name`; 0 where /proc is absent.
    static func seconds(named name: String) -> Double { byName()[name] ?? 0 }

    /// User + system seconds per thread name, threads of one name summed; empty where /proc is absent.
    static func byName() -> [String: Double] {
        let dir = "/proc/self/task"
        guard let tids = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return [:] }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var total: [String: Double] = [:]
        for tid in tids {
            guard let comm = try? String(contentsOfFile: "\(dir)/\(tid)/comm", encoding: .utf8),
                  let stat = try? String(contentsOfFile: "\(dir)/\(tid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            // Fields after the command name: state is the 3rd field of the line, utime the 14th, stime the 15th.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 12, let u = Double(fields[11]), let s = Double(fields[12]) else { continue }
            total[comm.trimmingCharacters(in: .whitespacesAndNewlines), default: 0] += (u + s) / ticks
        }
        return total
    }

    /// Microseconds per task each part of the manager spent between two readings of `byName()`:
    /// the reactor, the store writer, the metrics feed and the event loops (agent channel, API).
    static func perTask(from a: [String: Double], to b: [String: Double], tasks: Int) -> [String: Double] {
        func delta(_ match: (String) -> Bool) -> Double {
            b.filter { match($0.key) }.values.reduce(0, +) - a.filter { match($0.key) }.values.reduce(0, +)
        }
        let n = Double(max(1, tasks))
        return [
            "reactor_cpu_us_per_task": delta { $0 == "pilot-reactor" } / n * 1e6,
            "writer_cpu_us_per_task": delta { $0 == "pilot-writer" } / n * 1e6,
            "metrics_feed_cpu_us_per_task": delta { $0 == "pilot-metrics" } / n * 1e6,
            "event_loops_cpu_us_per_task": delta { $0.hasPrefix("NIO-") } / n * 1e6,
        ]
    }
}
