import Foundation
import Testing
@testable import PilotTopology

/// AMD and Intel nodes from hand-written hwloc XML (no such machine here): one
/// card per package, each seen through several back ends, as hwloc 2.9 shows them.
@Suite struct GPUVendorTests {
    static func fixture(_ name: String) -> String {
        Bundle.module.path(forResource: name, ofType: "xml", inDirectory: "Fixtures")!
    }

    static func gpus(_ name: String) throws -> [GPUDevice] {
        try TopologyLoader.load(TopologyOptions(source: .xml(path: fixture(name)))).gpus
    }

    @Test func amdCardsComeFromTheRSMIBackEnd() throws {
        let gpus = try Self.gpus("amd-mi250x")
        // card, renderD, rsmi and opencl devices per card: one entry each, named by ROCm SMI.
        #expect(gpus.map(\.name) == ["rsmi0", "rsmi1"])
        #expect(gpus.map(\.vendor) == [.amd, .amd])
        #expect(gpus.map(\.kind) == ["gpu", "gpu"])
        #expect(gpus.map(\.numaDomain) == [0, 1])
        #expect(gpus.first?.model == "AMD Instinct MI250X")
    }

    @Test func topologyTableShowsVendorAndModel() throws {
        let table = try TopologyLoader.load(TopologyOptions(source: .xml(path: Self.fixture("amd-mi250x")))).renderTable()
        let row = try #require(table.split(separator: "\n").first { $0.contains("rsmi1") })
        #expect(row.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            == ["1", "rsmi1", "gpu", "amd", "AMD", "Instinct", "MI250X", "1"])
    }

    @Test func intelCardsComeFromTheLevelZeroBackEnd() throws {
        let gpus = try Self.gpus("intel-pvc")
        #expect(gpus.map(\.name) == ["ze0", "ze1"])
        #expect(gpus.map(\.vendor) == [.intel, .intel])
        #expect(gpus.map(\.kind) == ["coproc", "coproc"])
        #expect(gpus.map(\.numaDomain) == [0, 1])
    }

    @Test func openCLOnlyCardsTakeTheVendorFromHwlocsInfo() throws {
        let gpus = try Self.gpus("intel-opencl-only")
        #expect(gpus.map(\.name) == ["opencl0d0", "opencl0d1"])
        #expect(gpus.map(\.vendor) == [.intel, .intel])
        #expect(gpus.first?.model == "Intel(R) Data Center GPU Max 1100")
    }

    @Test func nvidiaFixtureStaysNVIDIA() throws {
        #expect(try Self.gpus("two-socket").map(\.vendor) == [.nvidia, .nvidia])
    }

    @Test func vendorRulesRankBackEndOverInfoOverPCIOverName() {
        #expect(GPUVendor(backend: "RSMI", vendorInfo: "NVIDIA", pciVendorID: 0x8086, name: "cuda0") == .amd)
        #expect(GPUVendor(backend: "OpenCL", vendorInfo: "Advanced Micro Devices, Inc.", pciVendorID: nil, name: "x") == .amd)
        #expect(GPUVendor(backend: nil, vendorInfo: nil, pciVendorID: 0x10de, name: "card0") == .nvidia)
        #expect(GPUVendor(backend: nil, vendorInfo: nil, pciVendorID: nil, name: "ze3") == .intel)
        #expect(GPUVendor(backend: nil, vendorInfo: nil, pciVendorID: 0x1af4, name: "card0") == .unknown)
    }
}
