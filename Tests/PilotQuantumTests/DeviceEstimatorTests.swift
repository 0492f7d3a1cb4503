import Foundation
import Testing
@testable import PilotQuantum

/// What `qpu: auto` is given at submission: each device's predicted runtime and success probability.
@Suite struct DeviceEstimatorTests {
    static let ghz8 = """
        OPENQASM 2.0;
        include "qelib1.inc";
        qreg q[8];
        creg c[8];
        h q[0];
        cx q[0],q[1]; cx q[1],q[2]; cx q[2],q[3]; cx q[3],q[4]; cx q[4],q[5]; cx q[5],q[6]; cx q[6],q[7];
        measure q -> c;
        """

    func estimator() throws -> DeviceEstimator {
        DeviceEstimator(profiles: try QPUDeviceProfile.loadAll(directory: ProfileTests.profileDirectory), model: .standard)
    }

    func payload(_ circuit: String, shots: Int = 1000) throws -> String {
        String(decoding: try JSONEncoder().encode(QuantumJob(circuit: circuit, shots: shots, device: "any")), as: UTF8.self)
    }

    @Test func aSingleCircuitJobIsPredictedAsTheModelAndTheFidelityEstimateSayOnEachWideEnoughDevice() throws {
        let est = try estimator()
        let list = try est.estimates(payload: try payload(Self.ghz8), threads: 1)
        let circuit = try QASMParser.parse(Self.ghz8)
        let wide = est.profiles.filter { $0.qubits >= 8 }
        #expect(Set(list.map(\.device)) == Set(wide.map(\.name)), "small-7 cannot hold 8 qubits")
        for p in wide {
            let e = try #require(list.first { $0.device == p.name })
            let routed = try est.router.route(circuit, on: p)
            let f = TaskFeatures.of(circuit, observables: [], shots: 1000, on: p, threads: 1, routedTwoQubitGates: routed.twoQubitGateCost)
            #expect(abs(e.runtime - PerformanceModel.standard.runtime(f)) < 1e-12, "\(p.name)")
            let esp = try FidelityEstimate.estimate(circuit, on: p, router: est.router)
            #expect(abs(e.fidelity - esp.successProbability) < 1e-12, "\(p.name)")
        }
        #expect(list.first { $0.device == "ideal-sim" }?.fidelity == 1)
    }

    @Test func aPUBJobAddsItsCircuitsAndKeepsItsWorstFidelity() throws {
        let est = try estimator()
        let one = #"{"primitive":"sampler","shots":500,"pubs":[{"circuit":\#(try jsonString(Self.ghz8))}]}"#
        let two = #"{"primitive":"sampler","shots":500,"pubs":[{"circuit":\#(try jsonString(Self.ghz8))},{"circuit":\#(try jsonString(Self.ghz8))}]}"#
        let a = try est.estimates(payload: one, threads: 1)
        let b = try est.estimates(payload: two, threads: 1)
        for e in a {
            let twice = try #require(b.first { $0.device == e.device })
            #expect(twice.runtime > e.runtime, "\(e.device): a second PUB costs more")
            #expect(twice.runtime < 2 * e.runtime + 1e-12, "\(e.device): the fixed cost counts once")
            #expect(abs(twice.fidelity - e.fidelity) < 1e-12)
        }
    }

    @Test func aMalformedPayloadIsAQuantumErrorNotACrash() throws {
        let est = try estimator()
        #expect(throws: QuantumError.self) { try est.estimates(payload: try payload("OPENQASM 2.0; qreg q[2]; cx q[0];"), threads: 1) }
        #expect(throws: QuantumError.self) { try est.estimates(payload: "{not json", threads: 1) }
    }

    func jsonString(_ s: String) throws -> String { String(decoding: try JSONEncoder().encode(s), as: UTF8.self) }
}
