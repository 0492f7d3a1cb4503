import PilotCore

/// `GET /v1/occupancy`: which task holds each core, GPU and QPU-device slot right now, with cores
/// grouped by NUMA domain. For the dashboard and `pilot top`.
public struct Occupancy: Sendable, Codable, Hashable {
    public struct Slot: Sendable, Codable, Hashable {
        public var id: Int
        /// Tasks bound to the slot: the running one first when the agent queues prefetched ones.
        public var tasks: [Int64]
        public init(id: Int, tasks: [Int64]) { self.id = id; self.tasks = tasks }
    }
    public struct Domain: Sendable, Codable, Hashable {
        public var id: Int
        public var cores: [Slot]
        public var gpus: [Slot]
        public init(id: Int, cores: [Slot], gpus: [Slot]) { self.id = id; self.cores = cores; self.gpus = gpus }
    }
    public struct Agent: Sendable, Codable, Hashable {
        public var id: Int
        public var hostname: String
        public var pilot: String?
        public var state: String
        public var domains: [Domain]
        /// GPUs without a known NUMA domain.
        public var otherGPUs: [Slot]
        public init(id: Int, hostname: String, pilot: String?, state: String, domains: [Domain], otherGPUs: [Slot]) {
            self.id = id; self.hostname = hostname; self.pilot = pilot; self.state = state; self.domains = domains
            self.otherGPUs = otherGPUs
        }
    }
    public struct Device: Sendable, Codable, Hashable {
        public var name: String
        public var slots: Int
        public var used: Int
        /// Per slot, the task holding it.
        public var leases: [Slot]
        /// Ready tasks that name this device and wait for a slot.
        public var queued: Int
        public init(name: String, slots: Int, used: Int, leases: [Slot], queued: Int = 0) {
            self.name = name; self.slots = slots; self.used = used; self.leases = leases; self.queued = queued
        }
    }
    public var agents: [Agent]
    public var devices: [Device]
    /// Ready tasks that ask for any device (`any[:qubits>=Q]`).
    public var anyDeviceQueued: Int
    public init(agents: [Agent], devices: [Device], anyDeviceQueued: Int = 0) {
        self.agents = agents; self.devices = devices; self.anyDeviceQueued = anyDeviceQueued
    }
}
