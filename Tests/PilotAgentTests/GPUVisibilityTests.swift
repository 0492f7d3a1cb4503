import PilotTopology
import Testing
@testable import PilotAgent

@Suite struct GPUVisibilityTests {
    @Test func nvidiaNodesKeepCUDAVisibleDevicesAsBefore() {
        let v = GPUVisibility(names: [(0, "cuda0"), (1, "cuda1")])
        #expect(v.environment(assigned: [1]) == ["CUDA_VISIBLE_DEVICES": "1"])
        #expect(v.environment(assigned: []) == ["CUDA_VISIBLE_DEVICES": ""])
        // Fake and unnamed GPUs are treated as before too.
        #expect(GPUVisibility(names: [(0, "fake0"), (1, "fake1")]).environment(assigned: [0, 1])
            == ["CUDA_VISIBLE_DEVICES": "0,1"])
        #expect(GPUVisibility(names: []).environment(assigned: []) == [:])
    }

    @Test func amdNodesGetROCmVariablesCountedTheWayROCrRenumbers() {
        let v = GPUVisibility(names: (0..<4).map { ($0, "rsmi\($0)") })
        #expect(v.environment(assigned: [2, 3]) == [
            "ROCR_VISIBLE_DEVICES": "2,3", "HIP_VISIBLE_DEVICES": "0,1", "CUDA_VISIBLE_DEVICES": "0,1",
        ])
        #expect(v.environment(assigned: [])["ROCR_VISIBLE_DEVICES"] == "-1")
    }

    @Test func intelNodesGetALevelZeroMask() {
        // OpenCL names say nothing about the vendor; hwloc's report does.
        let known: [String: GPUVendor] = ["opencl0d0": .intel, "opencl0d1": .intel]
        let v = GPUVisibility(names: [(0, "opencl0d0"), (1, "opencl0d1")], known: known)
        #expect(v.environment(assigned: [1]) == ["ZE_AFFINITY_MASK": "1", "CUDA_VISIBLE_DEVICES": "1"])
        #expect(v.environment(assigned: [])["ZE_AFFINITY_MASK"] == "2")
    }

    @Test func mixedNodesNumberEachVendorOnItsOwn() {
        let v = GPUVisibility(vendors: [0: .nvidia, 1: .amd, 2: .intel, 3: .amd])
        let env = v.environment(assigned: [3])
        #expect(env["ROCR_VISIBLE_DEVICES"] == "1")
        #expect(env["ZE_AFFINITY_MASK"] == "1")
        #expect(env["CUDA_VISIBLE_DEVICES"] == "3")
    }
}
