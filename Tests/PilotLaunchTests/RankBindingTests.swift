import CPilotSpawn
import Testing
@testable import PilotLaunch
import PilotTopology

/// The binding a gang's head agent writes and the C shim each rank reads must agree.
@Suite struct RankBindingTests {
    static let binding = RankBinding(nodes: [
        .init(host: "n1", ranks: [.init(cpus: [0, 1], gpus: [0]), .init(cpus: [2, 3, 5], gpus: [1])]),
        .init(host: "node-02.cluster", ranks: [.init(cpus: [7]), .init(cpus: [])]),
    ])

    @Test func encodesCompactly() {
        #expect(Self.binding.encoded == "n1=0-1@0/2-3,5@1;node-02.cluster=7/")
        #expect(Self.binding.isEncodable)
        #expect(!RankBinding(nodes: [.init(host: "a;b", ranks: [])]).isEncodable)
    }

    @Test func eachRankFindsItsOwnShare() throws {
        let text = Self.binding.encoded
        for node in Self.binding.nodes {
            for (local, rank) in node.ranks.enumerated() {
                let slots = try pick(text, node.host, local)
                #expect(cpus(slots) == rank.cpus, "\(node.host) rank \(local)")
                #expect((slots.has_gpus != 0 ? gpus(slots) : nil) == rank.gpus.map { CPUList.format($0) })
            }
        }
    }

    @Test func refusesWhatItCannotPlace() {
        var s = pilot_rank_slots()
        #expect(pilot_rank_pick(Self.binding.encoded, "n3", 0, &s) == PILOT_RANK_STEP_NODE)
        #expect(pilot_rank_pick(Self.binding.encoded, "n1", 2, &s) == PILOT_RANK_STEP_RANK)
        // "n1" must not match a longer name that starts with it, nor the reverse.
        #expect(pilot_rank_pick("n10=1", "n1", 0, &s) == PILOT_RANK_STEP_NODE)
        for bad in ["n1", "n1=x", "n1=3-1", "n1=1,,2", "n1=1@a", "n1=70000", "n1=-1"] {
            #expect(pilot_rank_pick(bad, "n1", 0, &s) == PILOT_RANK_STEP_PARSE, "\(bad)")
        }
    }

    private func pick(_ binding: String, _ node: String, _ local: Int) throws -> pilot_rank_slots {
        var s = pilot_rank_slots()
        let step = pilot_rank_pick(binding, node, Int32(local), &s)
        #expect(step == PILOT_RANK_STEP_NONE)
        return s
    }

    private func cpus(_ s: pilot_rank_slots) -> [Int] {
        var s = s
        let bits = 8 * MemoryLayout<UInt>.size
        return withUnsafeBytes(of: &s.cpu_mask) { raw in
            let words = raw.bindMemory(to: UInt.self)
            return (0...Int(max(s.max_cpu, 0))).filter { c in s.max_cpu >= 0 && words[c / bits] & (1 << UInt(c % bits)) != 0 }
        }
    }

    private func gpus(_ s: pilot_rank_slots) -> String {
        var s = s
        return withUnsafeBytes(of: &s.gpus) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
