import Foundation
import PilotLaunch
import PilotProtocol

extension Agent {
    /// Slurm signals every process of a job step, so the walltime warning (`--signal=USR1@N`) and
    /// the SIGTERM of scancel or of the time limit reach the agent's tasks as well as the agent.
    /// Such a death is the pilot ending, not the task failing: it is reported as `drained` so the
    /// manager requeues the task without counting a failure. The task and the agent receive the
    /// signal at about the same moment, in no fixed order, so the exit is held briefly: if the
    /// agent has started draining by then, Slurm sent it; otherwise it is an ordinary exit.
    func holdIfSlurmSignalled(_ key: TaskKey, _ e: ProcessExit) -> Bool {
        guard config.deadline != nil, let sig = e.signal, sig == SIGUSR1 || sig == SIGTERM else { return false }
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
            o.reason = o.signal == SIGUSR1
                ? "killed by the walltime warning signal (SIGUSR1) Slurm sends to the pilot's job step"
                : "killed by Slurm's SIGTERM as the pilot ended (scancel or walltime)"
        }
        report(o)
        scheduleFlush()
        if draining, running.isEmpty, heldExits.isEmpty { flush(); if unacked.isEmpty { finishDrain() } }
    }
}
