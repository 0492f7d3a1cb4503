import Foundation
import PilotCore

/// Predicts a quantum task's runtime and success probability on every device that can hold it:
/// what `qpu: auto` ranks at bind time. It parses and routes the job's circuits, so it runs where
/// the job is read at submission (the manager's work pool), once per task, never in the scheduler.
public struct DeviceEstimator: Sendable {
    public var profiles: [QPUDeviceProfile]
    public var model: PerformanceModel
    /// Two layout trials: the estimate needs a SWAP count close to what the device will see, not
    /// the best layout the router can find.
    public var router = SabreRouter(layoutTrials: 2, layoutIterations: 1)

    public init(profiles: [QPUDeviceProfile], model: PerformanceModel) {
        self.profiles = profiles
        self.model = model
    }

    /// The job's predictions, one per device wide enough for every circuit it runs; devices it
    /// cannot be routed onto are left out. `threads` is the simulator threads the task will get.
    public func estimates(payload: String, threads: Int) throws(QuantumError) -> [DeviceEstimate] {
        let runs = try Self.runs(payload)
        var out: [DeviceEstimate] = []
        for p in profiles {
            guard let e = estimate(runs, on: p, threads: threads) else { continue }
            out.append(e)
        }
        return out
    }

    /// One circuit as the device runs it: observables by label, shots, parameter sets.
    struct Run {
        var circuit: QuantumCircuit
        var observables: [String]
        var shots: Int
        var parameterSets: Int
    }

    static func runs(_ payload: String) throws(QuantumError) -> [Run] {
        if QuantumPayload.isPUBJob(payload) {
            return try PUBJob.parse(payload).pubs.map { pub in
                let labels = pub.observables.flatMap { $0.terms.map(\.pauli.label) }
                // The sampler's shots, or the estimator's for its most demanding observable.
                let shots = pub.observables.isEmpty ? pub.shots : pub.observables.map(pub.shots(for:)).max() ?? 0
                return Run(circuit: pub.circuit.template, observables: labels, shots: shots, parameterSets: max(1, pub.bindingCount))
            }
        }
        let job = try QuantumJob.read(Data(payload.utf8))
        let circuit = try QASMParser.parse(job.circuit, fileName: "payload.circuit")
        return [Run(circuit: circuit, observables: job.observables, shots: job.shots, parameterSets: 1)]
    }

    /// The fixed per-task cost counts once; each circuit adds its device or simulation time. The
    /// task's success probability is its worst circuit's.
    func estimate(_ runs: [Run], on device: QPUDeviceProfile, threads: Int) -> DeviceEstimate? {
        var fixed = 0.0
        var work = 0.0
        var fidelity = 1.0
        let c = model.coefficients.vector
        for (i, r) in runs.enumerated() {
            guard r.circuit.qubitCount <= device.qubits, let routed = try? router.route(r.circuit, on: device) else { return nil }
            let f = TaskFeatures.of(r.circuit, observables: r.observables, shots: r.shots, parameterSets: r.parameterSets,
                                    on: device, threads: threads, routedTwoQubitGates: routed.twoQubitGateCost)
            let parts = PerformanceModel.parts(f)
            if i == 0 { fixed = PerformanceModel.dot(parts.fixed, c) }
            work += max(PerformanceModel.dot(parts.latency, c), PerformanceModel.dot(parts.compute, c))
            let esp = FidelityEstimate.estimate(routed.circuit, noise: device.noise, swaps: routed.swapCount,
                                                measuredWithoutMeasurements: r.circuit.qubitCount)
            fidelity = min(fidelity, esp.successProbability)
        }
        return DeviceEstimate(device: device.name, runtime: max(0, fixed + work), fidelity: min(1, max(0, fidelity)))
    }
}
