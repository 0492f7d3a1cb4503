/// `qpu: auto`: the device is chosen when the task is bound, from the task's own predictions and
/// each device's live leases, so the choice sees the queue as it is then, not as it was at submission.
extension Scheduler {
    /// A lease's start and predicted end (nil: nothing predicts it).
    struct LeaseSpan: Sendable {
        var device: String
        var start: Double
        var end: Double?
    }

    /// The device for an `auto` task, or nil when it should wait: its best device is busy and the
    /// policy prefers waiting for it over a worse device now. A task without predictions (not a
    /// quantum task, or none of its devices registered) takes the device with the most free slots.
    func autoDevice(task: Int64, _ q: QPUSelector, policy: DevicePolicy, now: Double) -> (String, DeviceChoice?)? {
        guard let predicted = estimates[task] else { return pickDevice(q).map { ($0, nil) } }
        var options: [DeviceChoice.Option] = []
        for e in predicted {
            guard let info = devices[e.device], info.qubits >= q.minQubits, info.slots >= q.count, isReachable(e.device) else { continue }
            options.append(.init(device: e.device, runtime: e.runtime, wait: wait(for: e.device, count: q.count, now: now),
                                 fidelity: e.fidelity))
        }
        guard let choice = DeviceChoice.choose(options, policy: policy) else { return pickDevice(q).map { ($0, nil) } }
        guard choice.chosen.wait == 0 else { return nil }
        return (choice.chosen.device, choice)
    }

    /// Seconds until `count` slots of the device are free: 0 when they are now; otherwise the
    /// predicted end of the leases that would free them. A lease past its predicted end is expected
    /// to run as long again as it has (heavy tails); one with no prediction never counts as freeing.
    func wait(for device: String, count: Int, now: Double) -> Double {
        let free = deviceFree[device]?.count ?? 0
        guard free < count else { return 0 }
        let inUse = (devices[device]?.slots ?? 0) - free
        var remaining: [Double] = []
        for (_, span) in leaseSpans where span.device == device {
            guard let end = span.end else { continue }
            remaining.append(end > now ? end - now : now - span.start)
        }
        remaining.sort()
        let need = count - free
        guard need <= inUse, need <= remaining.count else { return .infinity }
        return remaining[need - 1]
    }

    /// Whether a live agent that takes work can hold a lease on the device.
    func isReachable(_ device: String) -> Bool {
        agents.contains { a in a.map { !$0.draining && $0.reaches(device: device) } ?? false }
    }

    /// Records the lease's predicted span: the task's own estimate on the device, else its time request.
    mutating func noteLease(task: Int64, device: String, time: Double?, now: Double) {
        let predicted = estimates[task]?.first { $0.device == device }?.runtime ?? time
        leaseSpans[task] = LeaseSpan(device: device, start: now, end: predicted.map { now + $0 })
    }

    /// The decision made for an `auto` task's binding, once: the caller journals it.
    public mutating func takeChoice(of task: Int64) -> DeviceChoice? {
        choices.removeValue(forKey: task)
    }
}
