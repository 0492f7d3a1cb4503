import Foundation
import Testing
@testable import PilotTopology

@Suite struct XMLTopologyTests {
    static var fixture: String {
        Bundle.module.path(forResource: "two-socket", ofType: "xml", inDirectory: "Fixtures")!
    }

    @Test func twoSocketFixture() throws {
        let topology = try TopologyLoader.load(TopologyOptions(source: .xml(path: Self.fixture)))
        #expect(topology.hostname == "fixture-2s")
        #expect(topology.source == "xml:\(Self.fixture)")
        #expect(topology.packages == 2)
        #expect(topology.numaDomains.map(\.osIndex) == [0, 1])
        #expect(topology.numaDomains.map(\.memoryBytes) == [16 << 30, 16 << 30])
        #expect(topology.cores == 8)
        #expect(topology.pus == 16)
        #expect(topology.numaDomains[1].cores.map(\.package) == [1, 1, 1, 1])
        #expect(topology.numaDomains[1].cores.first?.puOSIndices == [8, 9])
    }

    @Test func gpusAreDedupedPerPCIDeviceWithLocality() throws {
        let topology = try TopologyLoader.load(TopologyOptions(source: .xml(path: Self.fixture)))
        // Each card appears as card<N> and cuda<N>; the CUDA name wins, one entry per card.
        #expect(topology.gpus == [
            GPUDevice(index: 0, name: "cuda0", kind: "coproc", numaDomain: 0),
            GPUDevice(index: 1, name: "cuda1", kind: "coproc", numaDomain: 1),
        ])
    }

    @Test func restrictionAndVisibleGPUsApplyToXML() throws {
        let topology = try TopologyLoader.load(TopologyOptions(source: .xml(path: Self.fixture),
                                                               restrictToPUs: try CPUList.parse("8-15"),
                                                               visibleGPUs: [1]))
        #expect(topology.numaDomains[0].cores.isEmpty)
        #expect(topology.numaDomains[1].cores.flatMap(\.puOSIndices) == Array(8...15))
        #expect(topology.packages == 1)
        #expect(topology.gpus.map(\.name) == ["cuda1"])
    }

    @Test func exportThenReloadGivesTheSameTopology() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("pilot-topology-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).xml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let options = TopologyOptions(source: .synthetic("package:2 numa:2(memory=1GiB) core:3 pu:2"))
        try TopologyLoader.exportXML(options, to: path)
        var original = try TopologyLoader.load(options)
        let reloaded = try TopologyLoader.load(TopologyOptions(source: .xml(path: path)))
        original.source = reloaded.source
        original.hostname = reloaded.hostname
        #expect(reloaded == original)
    }

    @Test func missingFileIsAClearError() {
        let path = "/nonexistent/dir/topology.xml"
        do {
            _ = try TopologyLoader.load(TopologyOptions(source: .xml(path: path)))
            Issue.record("loading a missing file succeeded")
        } catch {
            #expect(error.code == .xmlNotFound)
            #expect(error.errno == ENOENT)
            #expect(error.description.contains(path))
            #expect(error.description.contains("No such file"))
        }
    }

    @Test func garbageFileIsAnError() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("pilot-garbage-\(getpid()).xml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "<topology><object type=\"Banana\"".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: TopologyError.self) { try TopologyLoader.load(TopologyOptions(source: .xml(path: path))) }
    }

    @Test func exportToUnwritablePathIsAnError() {
        do {
            try TopologyLoader.exportXML(TopologyOptions(source: .synthetic("core:2 pu:1")), to: "/nonexistent/dir/x.xml")
            Issue.record("export to a missing directory succeeded")
        } catch {
            #expect(error.code == .export)
        }
    }
}
