import CPilotSpawn
#if canImport(Glibc)
import Glibc
#endif

extension LauncherCore {
    /// A reaper thread: sleeps in epoll_wait on its children's pidfds (so it reaps only
    /// our own children and never competes with other code's waitpid), wakes for exits,
    /// time limits (the general reaper only) and shutdown, starts the successors of the tasks it
    /// reaps, and hands each wake-up's exits and starts to onEvents as one batch.
    ///
    /// A wake-up after which every core it saw freed runs a successor with another queued behind
    /// it needs nothing from the caller yet: with `holdQueued` set, such batches wait (up to that
    /// long) and go with the next one that does, so the caller is woken once for several exits.
    func reapLoop(_ reaper: ReaperThread) {
        let me = reaper.index
        var ready = [UInt64](repeating: 0, count: Self.maxBatch)
        var held: [LaunchEvents] = []
        var heldUntil: UInt64 = 0
        while true {
            let (timerTimeout, stopping): (Int32, Bool) = state.withLock { state in
                if state.stopping && !state.lingers(me) { return (0, true) }
                guard me == 0, let earliest = state.timers.earliest else { return (-1, state.stopping) }
                let now = Clocks.monotonicNanoseconds()
                guard earliest > now else { return (0, state.stopping) }
                return (Int32(clamping: (earliest - now + 999_999) / 1_000_000), state.stopping)
            }
            var timeout = timerTimeout
            if !held.isEmpty {
                let now = Clocks.monotonicNanoseconds()
                let due = heldUntil > now ? Int32(clamping: (heldUntil - now + 999_999) / 1_000_000) : 0
                timeout = timeout < 0 ? due : min(timeout, due)
            }
            if stopping && timeout == 0 && state.withLock({ !$0.lingers(me) }) { break }

            let count = ready.withUnsafeMutableBufferPointer {
                pilot_spawn_epoll_wait(reaper.epollFD, $0.baseAddress, Int32($0.count), timeout)
            }
            if count < 0 && -count != EINTR {
                // epoll_wait only fails like this on a programming error (bad fd).
                fatalError("ProcessLauncher: epoll_wait failed with errno \(-count)")
            }

            var exited: [(token: UInt64, task: RunningTask)] = []
            var successors: [Successor] = []
            var wokenByEventFD = false
            state.withLock { state in
                for slot in 0..<max(0, Int(count)) {
                    let fd = Int32(truncatingIfNeeded: ready[slot])
                    if fd == reaper.wakeFD {
                        wokenByEventFD = true
                        continue
                    }
                    guard let token = state.tokenByFD.removeValue(forKey: fd),
                          let task = state.tasks.removeValue(forKey: token) else { continue }
                    exited.append((token, task))
                    state.reaping.insert(task.pid)
                    if let s = state.successors.removeValue(forKey: token) {
                        state.predecessorOf[s.token] = nil
                        state.starting[s.token] = 0
                        successors.append(s)
                    }
                }
            }
            if wokenByEventFD { _ = pilot_spawn_eventfd_drain(reaper.wakeFD) }

            // Their pidfds turned readable: they have exited, before any successor starts in their place.
            let endedAt = Clocks.unixSeconds()
            var events = LaunchEvents()
            // The freed cores' next tasks go first: this is the path a core waits on.
            var urgent = holdQueued == 0 || exited.count > successors.count
            for s in successors {
                let chain = startChain(s, reaper: me)
                events.starts += chain.starts
                if !chain.refilled || !chain.queuedBehind || chain.starts.count > 1 { urgent = true }
            }
            events.exits.reserveCapacity(exited.count)
            for (token, task) in exited {
                if let name = task.containedAs, let containment {
                    // Before the leader is reaped: its pid, the group's id, cannot be reused meanwhile.
                    containment.end(name, group: task.groupLeader ? task.pid : nil, tracked: { self.state.withLock { $0.trackedPIDs } })
                }
                var info = pilot_spawn_exit()
                let reaped = pilot_spawn_reap(task.pid, 1, &info)
                _ = state.withLock { $0.reaping.remove(task.pid) }
                _ = pilot_spawn_epoll_remove(reaper.epollFD, task.pidfd)
                close(task.pidfd)
                // -ECHILD: something else in the process reaped it; the status is lost.
                events.exits.append((token, ProcessExit(
                    pid: task.pid,
                    exitCode: reaped == 1 && info.exited != 0 ? info.code : nil,
                    signal: reaped == 1 && info.signaled != 0 ? info.signal : nil,
                    timedOut: task.timedOut,
                    startedAt: task.startedAt,
                    endedAt: endedAt,
                    userCPUSeconds: info.user_seconds,
                    systemCPUSeconds: info.system_seconds)))
            }
            if me == 0 { fireTimers() }
            if !events.isEmpty {
                if held.isEmpty { heldUntil = Clocks.monotonicNanoseconds() &+ holdQueued }
                held.append(events)
            }
            guard !held.isEmpty, urgent || held.count >= Self.maxHeld || Clocks.monotonicNanoseconds() >= heldUntil else { continue }
            // Read again: a shutdown while this thread slept in epoll_wait ends the reports too.
            if !state.withLock({ $0.stopping }) { onEvents(held) }
            held.removeAll(keepingCapacity: true)
        }
        closeAll(reaper)
    }

    private func fireTimers() {
        state.withLock { state in
            let now = Clocks.monotonicNanoseconds()
            for entry in state.timers.popDue(now) {
                guard var task = state.tasks[entry.token], task.serial == entry.serial else { continue }
                switch entry.action {
                case .terminate:
                    task.timedOut = true
                    state.tasks[entry.token] = task
                    Self.sendToTask(SIGTERM, task)
                    state.timers.push(.init(deadline: now &+ task.killGrace, token: entry.token,
                                            serial: entry.serial, action: .kill))
                case .kill:
                    Self.sendToTask(SIGKILL, task)
                }
            }
            if state.timers.count > 1024 && state.timers.count > 2 * state.tasks.count {
                let tasks = state.tasks
                state.timers.keepOnly { tasks[$0.token]?.serial == $0.serial }
            }
        }
    }

    static func sendToTask(_ sig: Int32, _ task: RunningTask) {
        // The group is gone once every member exited; the leader alone may still be a zombie.
        if task.groupLeader && kill(-task.pid, sig) == 0 { return }
        kill(task.pid, sig)
    }

    /// Children still running are left alone (and unreaped) as `shutdown` promises.
    private func closeAll(_ reaper: ReaperThread) {
        state.withLock { state in
            for (token, task) in state.tasks where task.reaper == reaper.index {
                close(task.pidfd)
                state.tokenByFD[task.pidfd] = nil
                state.tasks[token] = nil
            }
            reaper.closeDescriptors()
        }
    }
}
