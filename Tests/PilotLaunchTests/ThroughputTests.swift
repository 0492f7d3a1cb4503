import CPilotSpawn
import Foundation
import Testing
@testable import PilotLaunch

@Suite struct ThroughputTests {
    @Test(arguments: [true, false])
    func twoThousandTrueWithTwoAliveAreReapedExactlyOnce(viaHelper: Bool) throws {
        let total = 2_000
        let slots = DispatchSemaphore(value: 2)
        let collector = ExitCollector()
        let record = collector.handler()
        let launcher = ProcessLauncher(onExit: { batch in
            record(batch)
            for _ in batch { slots.signal() }
        })
        defer { launcher.shutdown() }
        // With parentDeathSignal nil the spawn runs on this thread instead of the helper.
        let spec = SpawnSpec(executable: "/bin/true", parentDeathSignal: viaHelper ? SIGKILL : nil)
        var pids = Set<Int32>()
        for token in 0..<UInt64(total) {
            slots.wait()
            pids.insert(try launcher.spawn(spec, token: token))
        }
        let exits = try collector.wait(for: Array(0..<UInt64(total)))
        #expect(exits.count == total)
        let all = collector.allExits
        #expect(all.count == total)
        #expect(all.values.allSatisfy { $0.count == 1 })
        #expect(exits.values.allSatisfy { $0.exitCode == 0 })
        #expect(Set(exits.values.map(\.pid)).isSubset(of: pids))
        #expect(collector.batches.reduce(0) { $0 + $1.count } == total)
        #expect(launcher.running == 0)
    }

    @Test func exitsCollectedInOneWakeUpAreDeliveredTogether() throws {
        // Hold the reaper inside its first onExit while five more children die; their exits
        // then wait together in epoll and must come out as one batch.
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let collector = ExitCollector()
        let record = collector.handler()
        let launcher = ProcessLauncher(onExit: { batch in
            record(batch)
            if batch.contains(where: { $0.token == 100 }) {
                entered.signal()
                release.wait()
            }
        })
        defer { launcher.shutdown() }
        _ = try launcher.spawn(SpawnSpec(executable: "/bin/true"), token: 100)
        entered.wait()

        let tokens: [UInt64] = [1, 2, 3, 4, 5]
        var pidfds: [Int32] = []
        for token in tokens {
            let pid = try launcher.spawn(SpawnSpec(executable: "/bin/sleep", arguments: ["30"]), token: token)
            pidfds.append(pilot_spawn_pidfd_open(pid))
        }
        defer { for fd in pidfds { close(fd) } }
        #expect(pidfds.allSatisfy { $0 >= 0 })
        launcher.signalAll(SIGKILL)
        // Every child is dead (a zombie) before the reaper may look again.
        for fd in pidfds { #expect(pilot_spawn_pidfd_wait_exit(fd, 30_000) == 1) }
        release.signal()

        let exits = try collector.wait(for: tokens)
        #expect(exits.values.allSatisfy { $0.signal == SIGKILL })
        #expect(collector.batches.contains { Set($0) == Set(tokens) })
        #expect(collector.batches.count == 2)
    }
}
