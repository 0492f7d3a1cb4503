extension CircuitCutter {
    /// Runs every sub-experiment of `plan` on `device` (one after another; a pilot would spread
    /// them over its QPU leases instead) and reconstructs the uncut expectation values.
    public static func execute(_ plan: CutPlan, on device: QPUDeviceProfile, threads: Int,
                               latencyScale: Double = 1.0) async throws(QuantumError) -> [ExpectationValue] {
        var results: [QuantumResult] = []
        results.reserveCapacity(plan.subexperiments.count)
        for subexperiment in plan.subexperiments {
            var job = subexperiment.job
            job.device = device.name
            results.append(try await QPUExecutor.run(job, on: device, threads: threads, latencyScale: latencyScale))
        }
        return try reconstruct(plan, results: results)
    }
}
