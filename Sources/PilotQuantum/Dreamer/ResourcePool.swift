/// What a workload can run on right now: worker cores across the pilots, and each device's slots
/// with the time each is still busy (its live queue: leases held, tasks ahead of it).
public struct ResourcePool: Sendable, Codable, Hashable {
    public struct Device: Sendable, Codable, Hashable {
        public var profile: QPUDeviceProfile
        /// Seconds until each slot (max_concurrent_jobs of them) is free; 0 = free now.
        public var busySeconds: [Double]

        public init(profile: QPUDeviceProfile, busySeconds: [Double]? = nil) {
            self.profile = profile
            self.busySeconds = busySeconds ?? Array(repeating: 0, count: max(1, profile.maxConcurrentJobs))
        }

        public var name: String { profile.name }
    }

    /// Cores free for quantum tasks across all pilots (each quantum task holds one core).
    public var cores: Int
    /// Threads a task gets (cores bound per quantum task).
    public var threadsPerTask: Int
    public var devices: [Device]

    public init(cores: Int, threadsPerTask: Int = 1, devices: [Device]) {
        self.cores = max(1, cores)
        self.threadsPerTask = max(1, threadsPerTask)
        self.devices = devices
    }

    public init(cores: Int, profiles: [QPUDeviceProfile]) {
        self.init(cores: cores, devices: profiles.map { Device(profile: $0) })
    }

    public func device(_ name: String) -> Device? { devices.first { $0.name == name } }

    /// The pool with only the named devices (order kept); unknown names are ignored.
    public func restricted(to names: [String]) -> ResourcePool {
        var copy = self
        copy.devices = devices.filter { names.contains($0.name) }
        return copy
    }
}
