/// Predicts the makespan of a workload on a pool by replaying what the late-binding scheduler does
/// with the tasks: in submission order, a task is bound as soon as a core and a slot of its device
/// are free (a task waiting for a busy device does not hold up the tasks behind it), runs for its
/// predicted time, and gives both back. An optional reconstruction task runs after the last one.
public enum MakespanSimulator {
    public struct Task: Sendable, Hashable {
        public var device: String
        public var seconds: Double
        public init(device: String, seconds: Double) {
            self.device = device
            self.seconds = seconds
        }
    }

    public struct Prediction: Sendable, Hashable, Codable {
        /// Seconds from submission to the last task's end, reconstruction included.
        public var makespan: Double
        /// Seconds of the reconstruction alone.
        public var reconstruction: Double
        /// Busy seconds per device (summed over its slots).
        public var deviceSeconds: [String: Double]
    }

    /// `releaseSeconds`: after a task ends, its core and slot stay taken this long (the end is
    /// reported and committed before the next task can be bound to them).
    public static func predict(_ tasks: [Task], on pool: ResourcePool, dispatchSeconds: Double,
                               releaseSeconds: Double = 0, reconstructionSeconds: Double = 0) -> Prediction {
        var slots: [String: [Double]] = [:]
        for d in pool.devices { slots[d.name] = d.busySeconds.isEmpty ? [0] : d.busySeconds }
        var cores = [Double](repeating: 0, count: pool.cores)
        var busy: [String: Double] = [:]
        var end = 0.0
        // Each task starts at the earliest moment both a core and one of its device's slots are
        // free. Processing in order and always taking the earliest pair reproduces FIFO binding
        // with independent per-device queues.
        for t in tasks {
            guard var deviceSlots = slots[t.device] else { continue }
            let s = deviceSlots.indices.min { deviceSlots[$0] < deviceSlots[$1] }!
            // The core that frees up last before the device slot does (best fit), else the first free.
            let fitting = cores.indices.filter { cores[$0] <= deviceSlots[s] }
            let c = fitting.max { cores[$0] < cores[$1] } ?? cores.indices.min { cores[$0] < cores[$1] }!
            let start = max(deviceSlots[s], cores[c]) + dispatchSeconds
            let finish = start + t.seconds
            deviceSlots[s] = finish + releaseSeconds
            slots[t.device] = deviceSlots
            cores[c] = finish + releaseSeconds
            busy[t.device, default: 0] += t.seconds
            end = max(end, finish + releaseSeconds)
        }
        return Prediction(makespan: end + reconstructionSeconds, reconstruction: reconstructionSeconds, deviceSeconds: busy)
    }
}
