import Foundation

/// Q-Dreamer's role: predicts how long a quantum task takes on a device, from the task's features
/// and a handful of coefficients fitted to the runs the event journal recorded.
///
/// The form mirrors what a QPU proxy does (`QPUExecutor`): it waits the device's queue, then runs
/// for the longer of the device's modelled latency and the simulation itself:
///
///   t = overhead + command·[executor is a command] + queue_factor · queue_wait
///       + max( latency_factor · latency,
///              simulation · simulation_work + sampling · sampling_work
///              + routed_gate · routed 2q gates × circuits )
///
/// Each coefficient has a unit a person can check (seconds per task, seconds per million
/// amplitude-gate updates, ...). `fit` estimates them by relative least squares (see
/// `PerformanceModel+Fit.swift`); `standard` is the documented default used before any run has
/// been recorded.
public struct PerformanceModel: Sendable, Codable, Hashable {
    public struct Coefficients: Sendable, Codable, Hashable {
        /// Seconds every task costs on its slot (start, parsing, result).
        public var overheadSeconds: Double
        /// Extra seconds per task when the device's executor is an external command.
        public var commandSeconds: Double
        /// Multiplier of the profile's queue wait.
        public var queueFactor: Double
        /// Multiplier of the profile's modelled latency (per circuit, per shot).
        public var latencyFactor: Double
        /// Seconds per million amplitude-gate updates (per effective thread).
        public var simulationSeconds: Double
        /// Seconds per million sampled bits.
        public var samplingSeconds: Double
        /// Seconds per routed two-qubit gate per circuit (a hardware device's gate time; the
        /// shipped devices are simulated, so 0 until data says otherwise).
        public var routedGateSeconds: Double

        public init(overheadSeconds: Double, commandSeconds: Double, queueFactor: Double, latencyFactor: Double,
                    simulationSeconds: Double, samplingSeconds: Double, routedGateSeconds: Double) {
            self.overheadSeconds = overheadSeconds; self.commandSeconds = commandSeconds; self.queueFactor = queueFactor
            self.latencyFactor = latencyFactor; self.simulationSeconds = simulationSeconds
            self.samplingSeconds = samplingSeconds; self.routedGateSeconds = routedGateSeconds
        }

        /// In the order of `PerformanceModel.featureNames`.
        public var vector: [Double] {
            [overheadSeconds, commandSeconds, queueFactor, latencyFactor, simulationSeconds, samplingSeconds,
             routedGateSeconds]
        }

        public init(vector v: [Double]) {
            self.init(overheadSeconds: v[0], commandSeconds: v[1], queueFactor: v[2], latencyFactor: v[3],
                      simulationSeconds: v[4], samplingSeconds: v[5], routedGateSeconds: v[6])
        }
    }

    /// How well the coefficients describe the runs they were fitted to.
    public struct FitStatistics: Sendable, Codable, Hashable {
        public var samples: Int
        /// Coefficient of determination of the runtimes (seconds).
        public var r2: Double
        /// Median absolute percentage error (the MAPE), in percent.
        public var mape: Double
        /// Mean absolute percentage error, in percent.
        public var meanApe: Double
        /// Root mean square error, seconds.
        public var rmse: Double
        /// Runs per device the fit saw (a list, not a map: device names are data, not keys).
        public var devices: [DeviceRuns]

        public struct DeviceRuns: Sendable, Codable, Hashable {
            public var device: String
            public var runs: Int
        }

        public init(samples: Int, r2: Double, mape: Double, meanApe: Double, rmse: Double, devices: [DeviceRuns]) {
            self.samples = samples; self.r2 = r2; self.mape = mape; self.meanApe = meanApe; self.rmse = rmse
            self.devices = devices
        }
    }

    public enum Source: String, Sendable, Codable, Hashable {
        /// `standard`: nothing was recorded yet.
        case defaults
        case calibrated
    }

    public var version: Int
    public var source: Source
    /// Unix seconds of the calibration.
    public var calibratedAt: Double?
    public var coefficients: Coefficients
    /// Seconds between a task's binding and its start (assignment sent, process started): the
    /// median the journal shows, added to every task of a makespan prediction.
    public var dispatchSeconds: Double
    /// Seconds from a task's end on its agent to the manager recording it (the report's trip and
    /// commit), during which its core and device slot are not yet free for the next task: the
    /// median the journal shows.
    public var releaseSeconds: Double
    /// Reconstruction: a fixed cost plus seconds per million terms × observables; fitted from the
    /// journal's reconstruction tasks (workflow fan-ins) when there are some, else the defaults.
    public var reconstructionSeconds: Double
    public var reconstructionSecondsPerMillionTerms: Double
    public var fit: FitStatistics?

    public static let currentVersion = 1
    public static let featureNames = ["overhead", "command", "queue_wait", "latency", "simulation_work",
                                      "sampling_work", "routed_two_qubit_gates"]

    /// The documented default: the device profiles' latency model taken at its word, one
    /// millisecond per task for the slot, 2 ms per million amplitude-gate updates (what the
    /// optimised embedded kernels do on one core of this class of machine), 20 ms to start an
    /// external command. Used, and announced, until `pilot dreamer calibrate` has runs to fit.
    public static let standard = PerformanceModel(
        version: currentVersion, source: .defaults, calibratedAt: nil,
        coefficients: Coefficients(overheadSeconds: 0.001, commandSeconds: 0.02, queueFactor: 1, latencyFactor: 1,
                                   simulationSeconds: 0.002, samplingSeconds: 0.02, routedGateSeconds: 0),
        dispatchSeconds: 0.002, releaseSeconds: 0.005, reconstructionSeconds: 0.001,
        reconstructionSecondsPerMillionTerms: 0.5, fit: nil)

    public init(version: Int, source: Source, calibratedAt: Double?, coefficients: Coefficients, dispatchSeconds: Double,
                releaseSeconds: Double, reconstructionSeconds: Double, reconstructionSecondsPerMillionTerms: Double,
                fit: FitStatistics?) {
        self.version = version; self.source = source; self.calibratedAt = calibratedAt; self.coefficients = coefficients
        self.dispatchSeconds = dispatchSeconds; self.releaseSeconds = releaseSeconds
        self.reconstructionSeconds = reconstructionSeconds
        self.reconstructionSecondsPerMillionTerms = reconstructionSecondsPerMillionTerms; self.fit = fit
    }

    /// The two parts of the model's sum that `max` chooses between, and the fixed part.
    struct Parts {
        var fixed: [Double]
        var latency: [Double]
        var compute: [Double]
    }

    /// Feature columns split as the formula uses them (each in `featureNames` order).
    static func parts(_ f: TaskFeatures) -> Parts {
        let command = f.executor == .command ? 1.0 : 0.0
        return Parts(fixed: [1, command, f.queueWaitSeconds, 0, 0, 0, 0],
                     latency: [0, 0, 0, f.latencySeconds, 0, 0, 0],
                     compute: [0, 0, 0, 0, f.simulationWork, f.samplingWork,
                               Double(f.routedTwoQubitGates * max(1, f.circuits))])
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    /// Predicted seconds from start to end of the task on its slot.
    public func runtime(_ f: TaskFeatures) -> Double {
        let p = Self.parts(f)
        let c = coefficients.vector
        return max(0, Self.dot(p.fixed, c) + max(Self.dot(p.latency, c), Self.dot(p.compute, c)))
    }

    /// Predicted seconds of the reconstruction of a cut plan.
    public func reconstruction(terms: Int, observables: Int) -> Double {
        reconstructionSeconds + reconstructionSecondsPerMillionTerms * Double(terms) * Double(max(1, observables)) / 1e6
    }
}
