import CPilotSpawn
import Foundation
import Testing
@testable import PilotLaunch

/// A contained task runs in a cgroup of its own from its first instruction, whether it is born
/// there (clone3 with CLONE_INTO_CGROUP) or joins it before exec (the fallback where clone3 is
/// missing): the task's own `/proc/self/cgroup` names a task cgroup under the agent's.
@Suite(.serialized) struct CgroupSpawnTests {
    /// Runs `body` with a launcher whose tasks get cgroups, spawning through clone3 or the fallback.
    func withContainedLauncher(clone3: Bool, _ body: (ProcessLauncher, ExitCollector) throws -> Void) throws {
        let containment = TaskContainment(preferred: .cgroup)
        defer { containment.removeOwnCgroup() }
        try #require(containment.mechanism == .cgroup, "needs a writable cgroup v2 with cgroup.kill (root, or a delegated subtree)")
        pilot_spawn_set_clone3(clone3 ? 1 : 0)
        defer { pilot_spawn_set_clone3(1) }
        let collector = ExitCollector()
        let onExit = collector.handler()
        let launcher = ProcessLauncher(containment: containment, onEvents: { onExit($0.exits) })
        defer { launcher.shutdown() }
        try body(launcher, collector)
    }

    @Test(arguments: [true, false]) func aContainedTaskRunsInItsOwnCgroup(clone3: Bool) throws {
        try withContainedLauncher(clone3: clone3) { launcher, collector in
            var paths: [String] = []
            for token in UInt64(1)...3 {
                let out = temporaryPath("cgroup-\(clone3)-\(token).out")
                var spec = SpawnSpec(executable: "/bin/cat", arguments: ["/proc/self/cgroup"], stdoutPath: out)
                spec.containmentName = "t\(token)"
                _ = try launcher.spawn(spec, token: token)
                #expect(try collector.wait(for: token).exitCode == 0)
                let text = try readFile(out)
                let line = text.split(separator: "\n").first { $0.hasPrefix("0::") }
                let path = try #require(line.map { String($0.dropFirst(3)) }, "no cgroup v2 line in \(text)")
                let parts = path.split(separator: "/")
                #expect(parts.count >= 2 && parts[parts.count - 2].hasPrefix("pilot-agent-") && parts.last!.hasPrefix("c"),
                        "task \(token) ran in \(path), not a task cgroup of this agent")
                paths.append(path)
            }
            // One after another, the emptied cgroup of each task is reused by the next.
            #expect(Set(paths).count == 1, "\(paths)")
        }
    }

    /// A task whose cgroup had to be killed (it left a process behind) does not doom the next one:
    /// a child cloned into a cgroup after its `cgroup.kill` is killed at birth by Linux, so such a
    /// cgroup is never reused.
    @Test(arguments: [true, false]) func theTaskAfterALeftoverIsNotKilledAtBirth(clone3: Bool) throws {
        try withContainedLauncher(clone3: clone3) { launcher, collector in
            var leaver = SpawnSpec(executable: "/bin/sh", arguments: ["-c", "setsid sleep 300 & exit 0"])
            leaver.containmentName = "leaver"
            _ = try launcher.spawn(leaver, token: 1)
            #expect(try collector.wait(for: 1).exitCode == 0)
            for token in UInt64(2)...4 {
                var next = SpawnSpec(executable: "/bin/true")
                next.containmentName = "next\(token)"
                _ = try launcher.spawn(next, token: token)
                let exit = try collector.wait(for: token)
                #expect(exit.exitCode == 0 && exit.signal == nil, "task \(token): exit \(String(describing: exit.exitCode)), signal \(String(describing: exit.signal))")
            }
        }
    }

    /// A pooled cgroup keeps `cgroup.events` open; reading it again from offset 0 must show the
    /// cgroup's state now, not the state when it was opened, or a task's leftovers would survive.
    @Test func aPooledCgroupsOpenEventsFileReadsTheStateNow() throws {
        let containment = TaskContainment(preferred: .cgroup)
        defer { containment.removeOwnCgroup() }
        try #require(containment.mechanism == .cgroup, "needs a writable cgroup v2 with cgroup.kill (root, or a delegated subtree)")
        _ = try containment.enter("probe")
        let cgroup = try #require(containment.pooled("probe"))
        #expect(cgroup.eventsFD >= 0)
        #expect(!TaskContainment.populated(cgroup.path, events: cgroup.eventsFD))
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["30"]
        try sleeper.run()
        defer { if sleeper.isRunning { sleeper.terminate() } }
        try String(sleeper.processIdentifier).write(toFile: cgroup.path + "/cgroup.procs", atomically: false, encoding: .utf8)
        #expect(TaskContainment.populated(cgroup.path, events: cgroup.eventsFD))
        // Removed by now; another test's containment in this process may reuse its name, so the
        // kill is checked on the process itself.
        #expect(containment.end("probe", group: nil, tracked: { nil }) == 1)
        sleeper.waitUntilExit()
        #expect(sleeper.terminationReason == .uncaughtSignal)
    }

    @Test func populatedIsReadFromItsOwnLine() {
        let cases: [(String, Bool)] = [("populated 1\nfrozen 0\n", true), ("populated 0\nfrozen 0\n", false),
                                       ("frozen 0\npopulated 1", true), ("", false), ("unpopulated 1\n", false)]
        for (text, expected) in cases {
            #expect(Array(text.utf8).withUnsafeBytes { TaskContainment.saysPopulated($0) } == expected, "\(text)")
        }
    }
}
