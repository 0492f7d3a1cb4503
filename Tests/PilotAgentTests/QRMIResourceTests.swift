import PilotCore
import Testing
@testable import PilotAgent

@Suite struct QRMIResourceTests {
    @Test func readsTheSpankPluginsVariables() throws {
        let env = ["SLURM_JOB_QPU_RESOURCES": "ibm_torino,FRESNEL", "SLURM_JOB_QPU_TYPES": "qiskit-runtime-service,pasqal-cloud",
                   "ibm_torino_QRMI_IBM_QRS_ENDPOINT": "https://quantum.example/api", "OTHER": "x"]
        let found = try QRMIResource.discover(in: env)
        #expect(found == [
            QRMIResource(name: "ibm_torino", resourceType: "qiskit-runtime-service",
                         environment: ["ibm_torino_QRMI_IBM_QRS_ENDPOINT": "https://quantum.example/api"]),
            QRMIResource(name: "FRESNEL", resourceType: "pasqal-cloud"),
        ])
    }

    @Test func prefersQRMIsOwnNames() throws {
        let env = ["QRMI_JOB_QPU_RESOURCES": "a", "QRMI_JOB_QPU_TYPES": "direct-access",
                   "SLURM_JOB_QPU_RESOURCES": "b", "SLURM_JOB_QPU_TYPES": "direct-access"]
        #expect(try QRMIResource.discover(in: env).map(\.name) == ["a"])
        #expect(try QRMIResource.discover(in: [:]).isEmpty)
    }

    @Test func rejectsListsThatDoNotPair() {
        #expect(throws: QRMIError.self) {
            try QRMIResource.discover(in: ["SLURM_JOB_QPU_RESOURCES": "a,b", "SLURM_JOB_QPU_TYPES": "direct-access"])
        }
        #expect(throws: QRMIError.self) {
            try QRMIResource.discover(in: ["SLURM_JOB_QPU_RESOURCES": "a,a", "SLURM_JOB_QPU_TYPES": "x,x"])
        }
    }

    @Test func grantedQPUsJoinANarrowedDeviceList() {
        let node = NodeResources(hostname: "n1", domains: [], gpus: [], memoryBytes: 0, qpuDevices: ["ideal-sim"])
        let q = [QRMIResource(name: "ibm_torino", resourceType: "qiskit-runtime-service")]
        #expect(node.adding(q).qpuDevices == ["ideal-sim", "ibm_torino"])
        let open = NodeResources(hostname: "n1", domains: [], gpus: [], memoryBytes: 0)
        #expect(open.adding(q).qpuDevices == nil)
    }
}
