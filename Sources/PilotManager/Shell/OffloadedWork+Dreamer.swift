import Foundation
import Logging
import PilotCore
import PilotProtocol
import PilotQuantum
import PilotWorkflow

extension OffloadedWork {
    /// What planning an `auto` cutting stage needs besides the job: the device profiles and where
    /// the calibrated model lives.
    struct Dreamer: Sendable {
        var profiles: [QPUDeviceProfile]
        var serverDir: String
        var log: Logger

        /// No profiles: an `auto` stage fails with the reason (replay tests that plan no such stage).
        static var none: Dreamer { Dreamer(profiles: [], serverDir: NSTemporaryDirectory(), log: Logger(label: "pilot.dreamer")) }
    }

    /// What `dreamer.json` next to `plan.json` holds: the choice and its predictions, read back by
    /// the reconstruction to report the measured makespan beside the predicted one.
    struct DreamerRecord: Codable {
        struct RunnerUp: Codable {
            var plan: String
            var predictedMakespan: Double
        }
        var plan: String
        var predictedMakespan: Double
        var fidelity: Double
        var samplingOverhead: Double
        var devices: [String]
        var model: String
        var plannedAt: Double
        var runnersUp: [RunnerUp]
    }

    /// The optimizer's plan for an `auto` stage on the pool the reactor described in `job.load`.
    /// Runs on the work pool: it cuts and routes many times.
    static func autoPlan(_ circuit: QuantumCircuit, job: CutJob, dreamer: Dreamer) throws -> (CutPlan, CandidatePlan, CutOptimizer.Outcome, PerformanceModel) {
        let p = job.plan
        let (model, warning) = PerformanceModel.load(serverDir: dreamer.serverDir)
        if let warning { dreamer.log.warning("stage \(job.stage): \(warning)") }
        var profiles = dreamer.profiles
        if p.device != CuttingStagePlan.autoDevice, let named = p.qpu.device {
            profiles = profiles.filter { $0.name == named }
        } else if p.qpu.minQubits > 0 {
            profiles = profiles.filter { $0.qubits >= p.qpu.minQubits }
        }
        guard !profiles.isEmpty else {
            throw DreamerError(.noPlan, "no device profile matches '\(p.device)' (known: \(dreamer.profiles.map(\.name).sorted().joined(separator: ", ")))")
        }
        let pool = Self.pool(profiles, load: job.load, model: model)
        var optimizer = CutOptimizer(model: model, pool: pool)
        if p.maxFragmentQubits != CuttingStagePlan.autoFragmentQubits {
            optimizer.maxFragmentQubits = p.maxFragmentQubits
            optimizer.minFragmentQubits = p.maxFragmentQubits
        }
        let outcome = try optimizer.search(circuit, observables: p.observables, shots: p.shots, seed: job.seed)
        guard let plan = outcome.cutPlan(for: outcome.chosen) else {
            throw DreamerError(.noPlan, "the chosen plan was not kept")
        }
        return (plan, outcome.chosen, outcome, model)
    }

    /// Free cores and device queues from the reactor's occupancy: a slot in use, or a task queued
    /// for the device, counts as one typical task of that device still to run (the model's runtime
    /// of a one-circuit, 1000-shot job) — the tasks' own circuits are not at hand here.
    static func pool(_ profiles: [QPUDeviceProfile], load: Occupancy?, model: PerformanceModel) -> ResourcePool {
        var free = 0
        var total = 0
        for a in load?.agents ?? [] where a.state == "active" {
            for d in a.domains {
                total += d.cores.count
                free += d.cores.filter(\.tasks.isEmpty).count
            }
        }
        let cores = free > 0 ? free : max(1, total)
        var typicalCircuit = QuantumCircuit(qubits: 2)
        typicalCircuit.append(.h, [0])
        typicalCircuit.append(.cx, [0, 1])
        let devices = profiles.map { profile -> ResourcePool.Device in
            let slots = max(1, profile.maxConcurrentJobs)
            guard let usage = load?.devices.first(where: { $0.name == profile.name }) else {
                return ResourcePool.Device(profile: profile)
            }
            let typical = model.runtime(TaskFeatures.of(typicalCircuit, observables: ["ZZ"], shots: 1000, on: profile, threads: 1))
            let ahead = Double(usage.used + usage.queued) / Double(slots)
            return ResourcePool.Device(profile: profile, busySeconds: Array(repeating: ahead * typical, count: slots))
        }
        return ResourcePool(cores: cores, devices: devices)
    }

    static func record(_ chosen: CandidatePlan, outcome: CutOptimizer.Outcome, model: PerformanceModel) -> DreamerRecord {
        DreamerRecord(plan: chosen.label, predictedMakespan: chosen.predictedMakespan, fidelity: chosen.fidelity,
                      samplingOverhead: chosen.samplingOverhead, devices: Array(Set(chosen.assignment.map(\.device))).sorted(),
                      model: model.source.rawValue, plannedAt: Date().timeIntervalSince1970,
                      runnersUp: outcome.ranked.dropFirst().prefix(4).map { DreamerRecord.RunnerUp(plan: $0.label, predictedMakespan: $0.predictedMakespan) })
    }

    static func snakeEncoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys]
        return e
    }
}
