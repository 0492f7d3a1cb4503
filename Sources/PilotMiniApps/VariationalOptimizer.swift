import Foundation
import PilotQuantum

/// The classical optimiser of the variational mini-apps, written ask/tell so the same code runs
/// in-process and as a workflow driver whose "evaluations" are quantum tasks: `points()` lists the
/// parameter vectors a step needs (the current parameters first), the caller evaluates each to a
/// vector of raw expectation values, and `step` turns them into an update.
///
/// - `adam`: exact gradients by the parameter-shift rule (2 shifted points per parameter), then
///   Adam. With exact expectation values this converges steadily, which plain SPSA does not.
/// - `spsa`: simultaneous-perturbation estimate from 2 points whatever the parameter count,
///   the usual choice when evaluations are sampled and expensive.
public struct VariationalOptimizer: Sendable, Hashable, Codable {
    public enum Method: String, Sendable, Hashable, Codable, CaseIterable {
        case adam, spsa
    }

    public struct Settings: Sendable, Hashable, Codable {
        public var method: Method
        /// Adam step size.
        public var learningRate: Double
        /// SPSA gains: a_k = a / (k + 1 + A)^0.602, c_k = c / (k + 1)^0.101 (Spall's exponents).
        public var spsaA: Double
        public var spsaC: Double
        public var spsaStability: Double
        public var seed: UInt64

        public init(method: Method = .adam, learningRate: Double = 0.1, spsaA: Double = 0.3, spsaC: Double = 0.15,
                    spsaStability: Double = 10, seed: UInt64 = 1) {
            self.method = method
            self.learningRate = learningRate
            self.spsaA = spsaA
            self.spsaC = spsaC
            self.spsaStability = spsaStability
            self.seed = seed
        }
    }

    public static let parameterShift = Double.pi / 2

    public let settings: Settings
    public private(set) var parameters: [Double]
    /// Completed steps.
    public private(set) var iteration = 0
    private var firstMoment: [Double]
    private var secondMoment: [Double]

    public init(initial: [Double], settings: Settings) throws(MiniAppError) {
        guard !initial.isEmpty, initial.allSatisfy(\.isFinite) else {
            throw MiniAppError(.invalidParameter, "the optimiser needs at least one finite parameter")
        }
        guard settings.learningRate > 0, settings.spsaA > 0, settings.spsaC > 0, settings.spsaStability >= 0 else {
            throw MiniAppError(.invalidParameter, "learning rate and SPSA gains must be positive", field: "learning_rate")
        }
        self.settings = settings
        parameters = initial
        firstMoment = Array(repeating: 0, count: initial.count)
        secondMoment = Array(repeating: 0, count: initial.count)
    }

    /// Seeded initial parameters uniform in [−scale, scale]: small, so the ansatz starts near |0…0⟩,
    /// but not zero, so no gradient is stuck on a symmetry.
    public static func initialParameters(count: Int, scale: Double, seed: UInt64) -> [Double] {
        var rng = SeededGenerator(seed: seed, stream: 7)
        return (0..<count).map { _ in (2 * rng.nextDouble() - 1) * scale }
    }

    /// Evaluations per step.
    public var pointsPerStep: Int { settings.method == .adam ? 1 + 2 * parameters.count : 3 }

    /// The ±1 perturbation of SPSA step k, derived from the seed so `points()` and `step` agree
    /// and a resumed driver repeats it.
    private func perturbation() -> [Double] {
        var rng = SeededGenerator(seed: settings.seed, stream: 1000 + UInt64(iteration))
        return parameters.map { _ in rng.next() & 1 == 0 ? 1.0 : -1.0 }
    }

    private var spsaGain: (a: Double, c: Double) {
        let k = Double(iteration)
        let a = settings.spsaA / pow(k + 1 + settings.spsaStability, 0.602)
        let c = settings.spsaC / pow(k + 1, 0.101)
        return (a, c)
    }

    /// Parameter vectors to evaluate for the next step; element 0 is always the current parameters.
    public func points() -> [[Double]] {
        var out = [parameters]
        switch settings.method {
        case .adam:
            for i in parameters.indices {
                var plus = parameters, minus = parameters
                plus[i] += Self.parameterShift
                minus[i] -= Self.parameterShift
                out.append(plus)
                out.append(minus)
            }
        case .spsa:
            let delta = perturbation()
            let c = spsaGain.c
            out.append(zip(parameters, delta).map { $0 + c * $1 })
            out.append(zip(parameters, delta).map { $0 - c * $1 })
        }
        return out
    }

    /// One update from the raw evaluations of `points()` (same order). `loss` maps raw values to
    /// the objective; `lossGradient` gives ∂loss/∂raw at the current point, which the
    /// parameter-shift rule needs because each raw value (an expectation) is what it differentiates.
    /// Returns the objective at the current (pre-step) parameters.
    @discardableResult
    public mutating func step(evaluations: [[Double]], loss: ([Double]) -> Double,
                              lossGradient: ([Double]) -> [Double]) throws(MiniAppError) -> Double {
        guard evaluations.count == pointsPerStep else {
            throw MiniAppError(.badResult, "expected \(pointsPerStep) evaluations, got \(evaluations.count)")
        }
        let width = evaluations[0].count
        guard evaluations.allSatisfy({ $0.count == width && $0.allSatisfy(\.isFinite) }) else {
            throw MiniAppError(.badResult, "evaluations differ in length or are not finite")
        }
        let value = loss(evaluations[0])
        var gradient = [Double](repeating: 0, count: parameters.count)
        switch settings.method {
        case .adam:
            let dL = lossGradient(evaluations[0])
            for i in parameters.indices {
                let plus = evaluations[1 + 2 * i], minus = evaluations[2 + 2 * i]
                var g = 0.0
                for j in 0..<width { g += dL[j] * (plus[j] - minus[j]) / 2 }
                gradient[i] = g
            }
            adamUpdate(gradient)
        case .spsa:
            let delta = perturbation()
            let (a, c) = spsaGain
            let slope = (loss(evaluations[1]) - loss(evaluations[2])) / (2 * c)
            for i in parameters.indices { parameters[i] -= a * slope * delta[i] }
        }
        iteration += 1
        return value
    }

    private mutating func adamUpdate(_ g: [Double]) {
        let beta1 = 0.9, beta2 = 0.999, eps = 1e-8
        let t = Double(iteration + 1)
        for i in parameters.indices {
            firstMoment[i] = beta1 * firstMoment[i] + (1 - beta1) * g[i]
            secondMoment[i] = beta2 * secondMoment[i] + (1 - beta2) * g[i] * g[i]
            let m = firstMoment[i] / (1 - pow(beta1, t))
            let v = secondMoment[i] / (1 - pow(beta2, t))
            parameters[i] -= settings.learningRate * m / (v.squareRoot() + eps)
        }
    }
}
