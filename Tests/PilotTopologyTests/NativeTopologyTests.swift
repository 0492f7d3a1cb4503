import Foundation
import Testing
@testable import PilotTopology

/// Checks discovery on whatever machine runs the tests, against the kernel's and hwloc's own tools.
@Suite struct NativeTopologyTests {
    @Test func matchesKernelAffinityAndHwlocCalc() throws {
        let topology = try TopologyLoader.load(TopologyOptions())
        let allowed = try CPUList.parse(try threadStatus("Cpus_allowed_list"))
        #expect(topology.puOSIndices.sorted() == allowed)
        #expect(topology.source == "native")
        #expect(topology.hostname == ProcessInfo.processInfo.hostName)

        let puLocations = allowed.map { "pu:\($0)" }
        #expect(topology.cores == Int(try run("/usr/bin/hwloc-calc", ["--pi", "-N", "core"] + puLocations)))
        #expect(topology.packages == Int(try run("/usr/bin/hwloc-calc", ["--pi", "-N", "package"] + puLocations)))
        #expect(topology.numaDomains.count == max(1, Int(try run("/usr/bin/hwloc-calc", ["-N", "numa", "all"])) ?? 0))
        #expect(topology.numaDomains.allSatisfy { $0.memoryBytes > 0 })
        #expect(topology.totalMemoryBytes >= topology.numaDomains.reduce(0) { $0 + $1.memoryBytes })
        #expect(!topology.renderTable().isEmpty)
    }

    @Test func unrestrictedSeesAtLeastTheAllowedPUs() throws {
        let restricted = try TopologyLoader.load(TopologyOptions())
        let unrestricted = try TopologyLoader.load(TopologyOptions(restrictToAllowedCPUs: false))
        #expect(Set(restricted.puOSIndices).isSubset(of: Set(unrestricted.puOSIndices)))
        #expect(unrestricted.pus == Int(try run("/usr/bin/hwloc-calc", ["-N", "pu", "all"])))
    }

    /// Binds a dedicated thread to one PU (as `taskset -c` or a Slurm cpu-bind would bind the
    /// whole step) and loads from it: only that PU, and its core, may remain.
    @Test func threadAffinityRestrictsTheTopology() throws {
        let allowed = try CPUList.parse(try threadStatus("Cpus_allowed_list"))
        let target = try #require(allowed.last)
        let result = try onBoundThread(cpu: target) { () throws(TopologyError) -> (NodeTopology, String) in
            (try TopologyLoader.load(TopologyOptions()), try! threadStatus("Cpus_allowed_list"))
        }
        let (topology, threadList) = try result.get()
        #expect(threadList == "\(target)")
        #expect(topology.puOSIndices == [target])
        #expect(topology.cores == 1)
        #expect(topology.packages == 1)
    }

    @Test func explicitListNarrowsTheAffinity() throws {
        let allowed = try CPUList.parse(try threadStatus("Cpus_allowed_list"))
        let first = try #require(allowed.first)
        let topology = try TopologyLoader.load(TopologyOptions(restrictToPUs: [first, 100_000]))
        #expect(topology.puOSIndices == [first])
    }
}
