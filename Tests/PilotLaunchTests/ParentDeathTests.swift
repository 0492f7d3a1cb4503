import CPilotSpawn
import Foundation
import Testing
@testable import PilotLaunch

/// PR_SET_PDEATHSIG fires when the parent *thread* exits, which lets a test watch the kernel
/// deliver it without killing the test process: spawn from a thread, let the thread end.
@Suite struct ParentDeathTests {
    /// What a thread spawned before exiting.
    final class Spawned: @unchecked Sendable {  // written by the thread, read after join
        var raw = pilot_spawn_result()
        var rawRC: Int32 = -1
        var launcherPID: Int32 = -1
        var launcherError: LaunchError?
    }

    @Test func pdeathsigIsDeliveredWhenTheSpawningThreadExits() throws {
        let collector = ExitCollector()
        let launcher = ProcessLauncher(onExit: collector.handler())
        defer { launcher.shutdown() }
        let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { close(devNull) }
        let spawned = Spawned()

        try runOnShortLivedThread {
            // Directly on this thread: its exit must SIGKILL the child.
            do throws(LaunchError) {
                let prepared = try PreparedSpawn(SpawnSpec(executable: "/bin/sleep", arguments: ["30"],
                                                           parentDeathSignal: SIGKILL), devNull: devNull)
                spawned.rawRC = prepared.withArgs { pilot_spawn(&$0, &spawned.raw) }
                // Through the launcher: it spawns on its process-lifetime helper, so this
                // thread's exit must not touch the task.
                spawned.launcherPID = try launcher.spawn(SpawnSpec(executable: "/bin/sleep", arguments: ["30"],
                                                                   parentDeathSignal: SIGKILL), token: 1)
            } catch {
                spawned.launcherError = error
            }
        }
        #expect(spawned.launcherError == nil)
        try #require(spawned.rawRC == 0)
        defer { close(spawned.raw.pidfd) }

        #expect(pilot_spawn_pidfd_wait_exit(spawned.raw.pidfd, 30_000) == 1)
        var info = pilot_spawn_exit()
        #expect(pilot_spawn_reap(spawned.raw.pid, 0, &info) == 1)
        #expect(info.signaled == 1 && info.signal == SIGKILL)

        // The kernel signalled the exiting thread's children in one pass, and the raw child is
        // already dead, so a pending SIGKILL on the launcher's task would show up below.
        #expect(launcher.running == 1)
        launcher.signal(token: 1, SIGTERM)
        let exit = try collector.wait(for: 1)
        #expect(exit.pid == spawned.launcherPID)
        #expect(exit.signal == SIGTERM)
    }

    @Test func withoutPdeathsigTheChildOutlivesItsThread() throws {
        let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { close(devNull) }
        let spawned = Spawned()
        // Two children of the same thread: one with the signal as the event to wait for, one without.
        let marker = Spawned()
        try runOnShortLivedThread {
            let quiet = try! PreparedSpawn(SpawnSpec(executable: "/bin/sleep", arguments: ["30"],
                                                     parentDeathSignal: nil), devNull: devNull)
            spawned.rawRC = quiet.withArgs { pilot_spawn(&$0, &spawned.raw) }
            let loud = try! PreparedSpawn(SpawnSpec(executable: "/bin/sleep", arguments: ["30"],
                                                    parentDeathSignal: SIGKILL), devNull: devNull)
            marker.rawRC = loud.withArgs { pilot_spawn(&$0, &marker.raw) }
        }
        try #require(spawned.rawRC == 0 && marker.rawRC == 0)
        defer {
            close(spawned.raw.pidfd)
            close(marker.raw.pidfd)
        }
        #expect(pilot_spawn_pidfd_wait_exit(marker.raw.pidfd, 30_000) == 1)
        var info = pilot_spawn_exit()
        #expect(pilot_spawn_reap(marker.raw.pid, 0, &info) == 1 && info.signal == SIGKILL)

        kill(spawned.raw.pid, SIGTERM)
        #expect(pilot_spawn_pidfd_wait_exit(spawned.raw.pidfd, 30_000) == 1)
        #expect(pilot_spawn_reap(spawned.raw.pid, 0, &info) == 1)
        #expect(info.signaled == 1 && info.signal == SIGTERM)
    }
}

/// Runs `body` on a fresh pthread and joins it.
func runOnShortLivedThread(_ body: @escaping @Sendable () -> Void) throws {
    final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let retained = Unmanaged.passRetained(Box(body))
    var thread = pthread_t()
    let rc = pthread_create(&thread, nil, { raw in
        Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().body()
        return nil
    }, retained.toOpaque())
    guard rc == 0 else {
        retained.release()
        throw TestFailure("pthread_create: \(rc)")
    }
    pthread_join(thread, nil)
}
