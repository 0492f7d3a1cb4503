import Foundation
import PilotLaunch
import PilotProtocol

extension Agent {
    /// Why this is still needed: the walltime warning no longer reaches tasks (the job script asks
    /// for `--signal=B:USR1@N`, so only the batch shell gets it and forwards a drain through the
    /// manager), but `scancel` and the time limit itself send SIGTERM to every process of the
    /// agent's job step, tasks included. A task killed that way did not fail: its pilot ended. It
    /// is reported as `drained`, so the manager requeues it without counting a failure.
    /// The task and the agent get the SIGTERM at about the same moment, in no fixed order, so the
    /// exit is held briefly: if the agent is draining by then, Slurm sent it; otherwise it is an
    /// ordinary exit (someone else killed the task) and is reported as such.
    func holdIfSlurmSignalled(_ key: TaskKey, _ e: ProcessExit) -> Bool {
        guard config.deadline != nil, e.signal == SIGTERM else { return false }
        heldExits[key] = TaskOutcome(key: key, kind: .exited, exitCode: e.exitCode, signal: e.signal, timedOut: e.timedOut,
                                     startedAt: e.startedAt, endedAt: e.endedAt)
        if draining { settleHeldExit(key); return true }
        Task { [weak self] in
            try? await Task.sleep(for: .milliseconds(1000))
            await self?.settleHeldExit(key)
        }
        return true
    }

    func settleHeldExit(_ key: TaskKey) {
        guard var o = heldExits.removeValue(forKey: key) else { return }
        if draining {
            o.kind = .drained
            o.reason = "killed by Slurm's SIGTERM as the pilot ended (scancel or walltime)"
        }
        report(o)
        scheduleFlush()
        if draining, running.isEmpty, heldExits.isEmpty { flush(); if unacked.isEmpty { finishDrain() } }
    }
}
