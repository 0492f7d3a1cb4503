import Testing
@testable import PilotCore

/// Seeded random histories of submits, completions and agent arrivals/departures: after every step,
/// no core, GPU, memory, custom unit or device slot is held twice or beyond capacity.
@Suite struct SchedulerPropertyTests {
    struct RNG: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    func node(_ rng: inout RNG, _ k: Int) -> NodeResources {
        var n = NodeResources.uniform(hostname: "n\(k)", domains: Int.random(in: 1...4, using: &rng),
                                      coresPerDomain: Int.random(in: 1...8, using: &rng),
                                      gpusPerDomain: Int.random(in: 0...2, using: &rng),
                                      memoryBytes: UInt64(Int.random(in: 1...64, using: &rng)) << 30)
        if Bool.random(using: &rng) { n.custom = ["license": Int.random(in: 1...4, using: &rng)] }
        return n
    }

    func request(_ rng: inout RNG) -> ResourceRequest {
        var r = ResourceRequest(cores: Int.random(in: 0...6, using: &rng), gpus: Int.random(in: 0...2, using: &rng),
                                memoryBytes: UInt64(Int.random(in: 0...8, using: &rng)) << 30,
                                nodes: Int.random(in: 0...9, using: &rng) == 0 ? 2 : 1,
                                ranksPerNode: Int.random(in: 1...2, using: &rng))
        if r.coresPerRank == 0 && r.gpusPerRank == 0 { r.coresPerRank = 1 }
        if Int.random(in: 0...4, using: &rng) == 0 { r.custom = [.init(name: "license", amount: 1)] }
        if Int.random(in: 0...3, using: &rng) == 0 { r.qpu = QPUSelector(device: Bool.random(using: &rng) ? "q1" : nil, count: 1) }
        return r
    }

    func checkInvariants(_ s: Scheduler, agents: [Int: NodeResources]) {
        var cores: [Int: Set<Int>] = [:]
        var gpus: [Int: Set<Int>] = [:]
        var mem: [Int: UInt64] = [:]
        var lic: [Int: Int] = [:]
        var slots: [String: Set<Int>] = [:]
        for b in s.bindings.values {
            for p in b.placements {
                let res = agents[p.agent]!
                let valid = Set(res.domains.flatMap { $0.cores.map(\.id) })
                for c in p.cores {
                    #expect(valid.contains(c))
                    let fresh = cores[p.agent, default: []].insert(c).inserted
                    #expect(fresh, "core \(c) of agent \(p.agent) held twice")
                }
                for g in p.gpus {
                    #expect(res.gpus.contains { $0.index == g })
                    let fresh = gpus[p.agent, default: []].insert(g).inserted
                    #expect(fresh, "GPU \(g) held twice")
                }
                mem[p.agent, default: 0] += p.memoryBytes
                lic[p.agent, default: 0] += p.custom.first { $0.name == "license" }?.amount ?? 0
            }
            if let l = b.qpu {
                for sl in l.slots {
                    let fresh = slots[l.device, default: []].insert(sl).inserted
                    #expect(fresh)
                }
            }
        }
        for (k, res) in agents {
            #expect(mem[k, default: 0] <= res.memoryBytes)
            #expect(lic[k, default: 0] <= res.custom["license", default: 0])
            let u = s.usage(of: k)!
            #expect(u.freeCores == res.coreCount - cores[k, default: []].count)
        }
        #expect(slots["q1", default: []].count <= 2)
        #expect(slots["q2", default: []].count <= 1)
    }

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func randomHistoriesNeverOverAllocate(seed: UInt64) throws {
        var rng = RNG(state: seed)
        var s = Scheduler(devices: [QPUDeviceInfo(name: "q1", qubits: 20, slots: 2), QPUDeviceInfo(name: "q2", qubits: 5, slots: 1)])
        var agents: [Int: NodeResources] = [:]
        var nextAgent = 1
        var nextTask: Int64 = 1
        var requests: [Int64: ResourceRequest] = [:]
        var bound = 0
        for step in 0..<3000 {
            switch Int.random(in: 0..<20, using: &rng) {
            case 0 where agents.count < 8, 1 where agents.isEmpty:
                let n = node(&rng, nextAgent)
                try s.addAgent(nextAgent, resources: n, pilot: "p\(nextAgent % 3)", deadline: Bool.random(using: &rng) ? Double(step + 500) : nil)
                agents[nextAgent] = n
                nextAgent += 1
            case 2 where agents.count > 1:
                let k = agents.keys.sorted()[Int.random(in: 0..<agents.count, using: &rng)]
                let lost = s.removeAgent(k)
                agents[k] = nil
                for t in lost {
                    #expect(s.binding(of: t) == nil)
                    s.enqueue(t, request: requests[t]!)
                }
            case 3...5:
                let running = s.bindings.keys.sorted()
                if !running.isEmpty { s.release(running[Int.random(in: 0..<running.count, using: &rng)]) }
            case 6:
                if let t = requests.keys.randomElement(using: &rng) { s.withdraw(t) }
            default:
                let r = request(&rng)
                requests[nextTask] = r
                s.enqueue(nextTask, request: r, priority: Int.random(in: 0...2, using: &rng),
                          time: Bool.random(using: &rng) ? Double.random(in: 1...300, using: &rng) : nil)
                nextTask += 1
            }
            let got = s.schedule(now: Double(step))
            bound += got.count
            for b in got {
                let r = requests[b.task]!
                #expect(b.placements.count == r.nodes)
                #expect(Set(b.agents).count == r.nodes)
                for p in b.placements {
                    #expect(p.cores.count == r.coresPerNode)
                    #expect(p.gpus.count == r.gpusPerNode)
                }
                #expect((b.qpu != nil) == (r.qpu != nil))
            }
            checkInvariants(s, agents: agents)
        }
        #expect(bound > 500)
    }
}
