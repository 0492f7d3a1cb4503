import Foundation
import Testing
@testable import PilotTopology

@Suite struct SyntheticTopologyTests {
    @Test func twoPackagesTwoNUMAEightCores() throws {
        let description = "package:2 numa:2 core:8 pu:1"
        let topology = try TopologyLoader.load(TopologyOptions(source: .synthetic(description)))
        #expect(topology.source == "synthetic:\(description)")
        #expect(topology.hostname == "synthetic")
        #expect(topology.packages == 2)
        #expect(topology.numaDomains.count == 4)
        #expect(topology.cores == 2 * 2 * 8)
        #expect(topology.pus == topology.cores)
        #expect(topology.numaDomains.map(\.id) == [0, 1, 2, 3])
        for (index, domain) in topology.numaDomains.enumerated() {
            #expect(domain.cores.count == 8)
            // hwloc numbers synthetic PUs depth-first, so domain N holds PUs 8N..8N+7.
            #expect(domain.cores.flatMap(\.puOSIndices) == Array(index * 8 ..< index * 8 + 8))
            #expect(Set(domain.cores.map(\.package)) == [index / 2])
        }
        #expect(topology.numaDomains.flatMap(\.cores).map(\.id) == Array(0..<32))
    }

    @Test func hyperthreadsStayWithTheirCore() throws {
        let topology = try TopologyLoader.load(TopologyOptions(source: .synthetic("package:1 core:3 pu:2")))
        #expect(topology.numaDomains.count == 1)  // no NUMA level given: hwloc adds one node
        let cores = topology.numaDomains[0].cores
        #expect(cores.map(\.puOSIndices) == [[0, 1], [2, 3], [4, 5]])
        #expect(topology.pus == 6)
    }

    @Test func withoutACoreLevelEachPUIsACore() throws {
        let topology = try TopologyLoader.load(TopologyOptions(source: .synthetic("package:2 pu:3")))
        #expect(topology.cores == 6)
        #expect(topology.numaDomains.flatMap(\.cores).map(\.puOSIndices) == [[0], [1], [2], [3], [4], [5]])
        #expect(topology.numaDomains.flatMap(\.cores).map(\.package) == [0, 0, 0, 1, 1, 1])
    }

    @Test func numaMemoryComesFromTheDescription() throws {
        let topology = try TopologyLoader.load(
            TopologyOptions(source: .synthetic("package:2 numa:1(memory=4GiB) core:2 pu:1")))
        #expect(topology.numaDomains.map(\.memoryBytes) == [4 << 30, 4 << 30])
        #expect(topology.totalMemoryBytes == 8 << 30)
    }

    @Test func restrictToPUsDropsAndTrimsCores() throws {
        let topology = try TopologyLoader.load(TopologyOptions(
            source: .synthetic("package:2 numa:1 core:2 pu:2"),
            restrictToPUs: [1, 2, 3]))
        // Core 0 keeps only PU 1, core 1 keeps both, package 1's cores vanish.
        #expect(topology.numaDomains.flatMap(\.cores).map(\.puOSIndices) == [[1], [2, 3]])
        #expect(topology.numaDomains.flatMap(\.cores).map(\.id) == [0, 1])
        #expect(topology.packages == 1)
        #expect(topology.numaDomains.count == 2)
        #expect(topology.numaDomains[1].cores.isEmpty)
        #expect(topology.cores == 2)
        #expect(topology.pus == 3)
    }

    @Test func syntheticIgnoresTheProcessAffinity() throws {
        // 64 PUs is more than this process can be bound to, so any affinity leak would show.
        let topology = try TopologyLoader.load(TopologyOptions(source: .synthetic("package:4 core:16 pu:1"),
                                                               restrictToAllowedCPUs: true))
        #expect(topology.pus == 64)
    }

    @Test func fakeGPUsArePerNUMADomain() throws {
        let topology = try TopologyLoader.load(TopologyOptions(source: .synthetic("package:2 numa:2 core:2 pu:1"),
                                                               fakeGPUsPerNUMA: 2))
        #expect(topology.gpus.map(\.index) == Array(0..<8))
        #expect(topology.gpus.map(\.numaDomain) == [0, 0, 1, 1, 2, 2, 3, 3])
        #expect(topology.gpus.allSatisfy { $0.kind == "fake" })
        #expect(Set(topology.gpus.map(\.name)).count == 8)
    }

    @Test func visibleGPUsFilterKeepsNodeWideIndices() throws {
        let topology = try TopologyLoader.load(TopologyOptions(source: .synthetic("package:2 numa:1 core:2 pu:1"),
                                                               fakeGPUsPerNUMA: 2, visibleGPUs: [3, 1]))
        #expect(topology.gpus.map(\.index) == [1, 3])
        #expect(topology.gpus.map(\.numaDomain) == [0, 1])
    }

    @Test(arguments: ["package:2 banana:3", "core:0", "not a topology", "package:2 core:3 pu:-1"])
    func badSyntheticDescriptionIsAnError(description: String) {
        do {
            let topology = try TopologyLoader.load(TopologyOptions(source: .synthetic(description)))
            Issue.record("expected an error, got \(topology)")
        } catch {
            #expect(error.code == .invalidSynthetic)
            #expect(error.description.contains(description))
        }
    }

    @Test func negativeFakeGPUCountIsAnError() {
        #expect(throws: TopologyError(.invalidOption, "fakeGPUsPerNUMA must be >= 0, got -1")) {
            try TopologyLoader.load(TopologyOptions(source: .synthetic("core:2 pu:1"), fakeGPUsPerNUMA: -1))
        }
    }

    @Test func tableShowsDomainsAndGPUs() throws {
        let topology = try TopologyLoader.load(TopologyOptions(
            source: .synthetic("package:2 numa:1(memory=2GiB) core:4 pu:2"), fakeGPUsPerNUMA: 1))
        let table = topology.renderTable()
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.contains("packages: 2") && $0.contains("cores: 8") && $0.contains("PUs: 16") })
        #expect(lines.contains { $0.contains("2.0 GiB") && $0.hasSuffix("0-7") })
        #expect(lines.contains { $0.contains("2.0 GiB") && $0.hasSuffix("8-15") })
        #expect(lines.contains { $0.contains("fake1") && $0.hasSuffix("1") })
    }

    @Test func codableRoundTrip() throws {
        let topology = try TopologyLoader.load(TopologyOptions(source: .synthetic("package:2 numa:1 core:2 pu:2"),
                                                               fakeGPUsPerNUMA: 1))
        let data = try JSONEncoder().encode(topology)
        #expect(try JSONDecoder().decode(NodeTopology.self, from: data) == topology)
    }
}
