// spawn-bench N K [helper|direct] [program [args...]]
// Starts N tasks through ProcessLauncher keeping K alive, like spawn_baseline.c, and prints
// one JSON line. "helper" (the default) sets parentDeathSignal, so spawns go through the
// launcher's helper thread; "direct" spawns on the calling thread.
import Dispatch
import PilotLaunch
#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count >= 3, let total = Int(arguments[1]), let concurrency = Int(arguments[2]),
      total > 0, concurrency > 0 else {
    print("usage: spawn-bench N K [helper|direct] [program [args...]]")
    exit(2)
}
let mode = arguments.count > 3 ? arguments[3] : "helper"
let program = arguments.count > 4 ? Array(arguments[4...]) : ["/bin/true"]

let slots = DispatchSemaphore(value: concurrency)
let finished = DispatchSemaphore(value: 0)
final class Counter: @unchecked Sendable {  // touched only by the reaper thread
    var done = 0
    var failed = 0
}
let counter = Counter()
let launcher = ProcessLauncher(onExit: { batch in
    for (_, exit) in batch {
        counter.done += 1
        if exit.exitCode != 0 { counter.failed += 1 }
        slots.signal()
    }
    if counter.done == total { finished.signal() }
})
let spec = SpawnSpec(executable: program[0], arguments: Array(program.dropFirst()),
                     environment: ["PATH": "/usr/bin:/bin"],
                     parentDeathSignal: mode == "direct" ? nil : SIGKILL)

var start = timespec()
clock_gettime(CLOCK_MONOTONIC, &start)
for token in 0..<UInt64(total) {
    slots.wait()
    do {
        _ = try launcher.spawn(spec, token: token)
    } catch {
        print("spawn failed: \(error)")
        exit(1)
    }
}
finished.wait()
var end = timespec()
clock_gettime(CLOCK_MONOTONIC, &end)
let wall = Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) * 1e-9
launcher.shutdown()
let rate = (Double(total) / wall * 10).rounded() / 10
// The launcher's own CPU (this process's threads, not the children): what a spawn costs the agent.
var usage = rusage()
getrusage(RUSAGE_SELF.rawValue, &usage)
let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
print("{\"system\": \"swiftpilot-\(mode)-k\(concurrency)\", \"n\": \(total), \"concurrency\": \(concurrency), "
      + "\"wall_s\": \(wall), \"spawns_per_s\": \(rate), \"failed\": \(counter.failed), "
      + "\"launcher_cpu_us_per_task\": \((cpu / Double(total) * 1e6).rounded())}")
exit(counter.failed == 0 ? 0 : 1)
