import Foundation
import Testing
@testable import PilotQuantum

/// The performance model: the fit recovers coefficients it generated data with, the model file
/// falls back to the documented default when missing or corrupt, and the makespan simulator
/// replays per-device concurrency and cores.
@Suite struct PerformanceModelTests {
    static func profiles() throws -> [String: QPUDeviceProfile] {
        let all = try QPUDeviceProfile.loadAll(directory: ProfileTests.profileDirectory)
        return Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
    }

    /// Runs of random circuits on every shipped device, timed by a known model (with ±2% noise).
    static func synthetic(_ truth: PerformanceModel, noise: Double) throws -> [CalibrationSample] {
        var samples: [CalibrationSample] = []
        var rng = SeededGenerator(seed: 42)
        for (name, device) in try profiles().sorted(by: { $0.key < $1.key }) {
            for width in [3, 6, 10, 14, 18] where width <= device.qubits {
                for (layers, shots, observables) in [(2, 100, 1), (4, 1000, 2), (3, 5000, 3), (6, 0, 1)] {
                    let c = CircuitFamily.random.make(qubits: width, layers: layers, seed: UInt64(samples.count))
                    let obs = (0..<observables).map { PauliString.random(qubits: width, weight: 1 + $0, seed: UInt64($0)).label }
                    for threads in [1, 4] {
                        let f = TaskFeatures.of(c, observables: obs, shots: shots, on: device, threads: threads,
                                                routedTwoQubitGates: c.gateCount / 2)
                        let jitter = 1 + noise * (2 * rng.nextDouble() - 1)
                        samples.append(CalibrationSample(device: name, features: f, seconds: truth.runtime(f) * jitter))
                    }
                }
            }
        }
        return samples
    }

    static let truth: PerformanceModel = {
        var m = PerformanceModel.standard
        m.coefficients = .init(overheadSeconds: 0.004, commandSeconds: 0.02, queueFactor: 1.3, latencyFactor: 0.8,
                               simulationSeconds: 0.011, samplingSeconds: 0.05, routedGateSeconds: 0)
        return m
    }()

    @Test func fitRecoversKnownCoefficients() throws {
        let samples = try Self.synthetic(Self.truth, noise: 0)
        let fitted = PerformanceModel.fit(samples)
        let want = Self.truth.coefficients
        let got = fitted.coefficients
        // Exact data: every determinable coefficient comes back to within 1%.
        #expect(abs(got.overheadSeconds / want.overheadSeconds - 1) < 0.01)
        #expect(abs(got.queueFactor / want.queueFactor - 1) < 0.01)
        #expect(abs(got.latencyFactor / want.latencyFactor - 1) < 0.01)
        #expect(abs(got.simulationSeconds / want.simulationSeconds - 1) < 0.01)
        #expect(got.routedGateSeconds < 1e-6)
        // No command device was run: its coefficient keeps the default.
        #expect(abs(got.commandSeconds - PerformanceModel.standard.coefficients.commandSeconds) < 1e-9)
        let stats = try #require(fitted.fit)
        #expect(stats.samples == samples.count)
        #expect(stats.r2 > 0.999)
        #expect(stats.mape < 0.5)
        #expect(fitted.source == .calibrated)
    }

    @Test func fitOnNoisyDataStaysClose() throws {
        let samples = try Self.synthetic(Self.truth, noise: 0.05)
        let fitted = PerformanceModel.fit(samples)
        #expect(abs(fitted.coefficients.queueFactor / Self.truth.coefficients.queueFactor - 1) < 0.1)
        #expect(abs(fitted.coefficients.simulationSeconds / Self.truth.coefficients.simulationSeconds - 1) < 0.1)
        let stats = try #require(fitted.fit)
        // ±5% uniform noise: the median error of a good fit is about half of that.
        #expect(stats.mape < 5)
    }

    @Test func noSamplesKeepsTheDefaults() {
        let fitted = PerformanceModel.fit([])
        #expect(fitted.coefficients == PerformanceModel.standard.coefficients)
        #expect(fitted.fit?.samples == 0)
    }

    @Test func leastSquaresSolvesAnExactSystem() {
        // y = 2 + 3x exactly.
        let rows = (0..<10).map { [1.0, Double($0)] }
        let y = (0..<10).map { 2 + 3 * Double($0) }
        let beta = LeastSquares.solve(rows: rows, targets: y, weights: Array(repeating: 1, count: 10), prior: [0, 0], ridge: 1e-12)
        #expect(abs(beta[0] - 2) < 1e-6)
        #expect(abs(beta[1] - 3) < 1e-6)
    }

    @Test func modelFileRoundTripsAndFallsBack() throws {
        let dir = NSTemporaryDirectory() + "dreamer-model-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }

        let missing = PerformanceModel.load(serverDir: dir)
        #expect(missing.model == .standard)
        #expect(missing.warning?.contains("no calibrated model") == true)

        let fitted = PerformanceModel.fit(try Self.synthetic(Self.truth, noise: 0), at: 1_700_000_000)
        try fitted.save(serverDir: dir)
        let text = try String(contentsOfFile: PerformanceModel.path(serverDir: dir), encoding: .utf8)
        #expect(text.contains("\"simulation_seconds\""))
        #expect(text.contains("\"mape\""))
        let loaded = PerformanceModel.load(serverDir: dir)
        #expect(loaded.warning == nil)
        #expect(loaded.model == fitted)

        try "{\"version\": 1, \"coefficients\": ".write(toFile: PerformanceModel.path(serverDir: dir), atomically: true, encoding: .utf8)
        let corrupt = PerformanceModel.load(serverDir: dir)
        #expect(corrupt.model == .standard)
        #expect(corrupt.warning?.contains("not a valid model") == true)
        #expect(corrupt.warning?.contains("using the default model") == true)

        var negative = fitted
        negative.coefficients.latencyFactor = -1
        try negative.encoded().write(to: URL(fileURLWithPath: PerformanceModel.path(serverDir: dir)))
        let bad = PerformanceModel.load(serverDir: dir)
        #expect(bad.model == .standard)
        #expect(bad.warning?.contains("non-negative") == true)
    }

    @Test func runtimeTakesTheLongerOfLatencyAndSimulation() throws {
        let device = try #require(try Self.profiles()["small-7"])
        let c = CircuitFamily.ghz.make(qubits: 5, layers: 1, seed: 1)
        let f = TaskFeatures.of(c, observables: ["ZZZZZ"], shots: 1000, on: device, threads: 1)
        // One observable circuit: queue 0.01 + max(0.005 + 1000 × 1e-6, tiny simulation) + overhead.
        #expect(f.circuits == 1)
        let t = PerformanceModel.standard.runtime(f)
        #expect(abs(t - (0.001 + 0.01 + 0.006)) < 1e-3)
    }

    @Test func makespanFollowsSlotsAndCores() throws {
        let devices = try Self.profiles()
        let small = try #require(devices["small-7"])   // 2 slots
        let ion = try #require(devices["trapped-ion-11"])   // 1 slot
        let pool = ResourcePool(cores: 8, profiles: [small, ion])
        let tasks = (0..<4).map { _ in MakespanSimulator.Task(device: "small-7", seconds: 1) }
            + (0..<2).map { _ in MakespanSimulator.Task(device: "trapped-ion-11", seconds: 1) }
        let p = MakespanSimulator.predict(tasks, on: pool, dispatchSeconds: 0, reconstructionSeconds: 0.5)
        // small-7: 4 tasks on 2 slots → 2 s; trapped-ion: 2 on 1 slot → 2 s; then the reconstruction.
        #expect(abs(p.makespan - 2.5) < 1e-9)
        // One core: everything runs one after another.
        let serial = MakespanSimulator.predict(tasks, on: ResourcePool(cores: 1, profiles: [small, ion]), dispatchSeconds: 0)
        #expect(abs(serial.makespan - 6) < 1e-9)
        // A device whose slots are busy for 3 s more (its live queue) delays its tasks.
        var busy = pool
        busy.devices[1].busySeconds = [3]
        #expect(abs(MakespanSimulator.predict(tasks, on: busy, dispatchSeconds: 0).makespan - 5) < 1e-9)
    }
}
