import Foundation

extension PerformanceModel {
    /// Runs shorter than this are dropped: timer resolution and scheduling noise dominate them,
    /// and relative errors of such runs say nothing about the model.
    public static let shortestSample = 1e-4

    /// Fits the coefficients to `samples` by relative least squares (each run weighted by 1/t²,
    /// so a 10 ms task counts as much as a 10 s one and the fit minimises percentage errors).
    ///
    /// The `max` of the formula makes the model piecewise linear: each run is assigned to the
    /// branch the current coefficients say dominates it, the linear problem of that assignment is
    /// solved, and the two steps repeat until no run changes branch (at most 10 rounds). Columns
    /// the runs cannot determine stay near `prior` (ridge pull, see `LeastSquares`).
    public static func fit(_ samples: [CalibrationSample], prior: PerformanceModel = .standard,
                           dispatchSeconds: Double? = nil, releaseSeconds: Double? = nil,
                           at time: Double? = nil) -> PerformanceModel {
        let usable = samples.filter { $0.seconds >= shortestSample && $0.seconds.isFinite }
        var model = prior
        model.source = .calibrated
        model.calibratedAt = time
        if let d = dispatchSeconds { model.dispatchSeconds = d }
        if let r = releaseSeconds { model.releaseSeconds = r }
        guard !usable.isEmpty else {
            model.fit = statistics(usable, model: model)
            return model
        }
        let parts = usable.map { Self.parts($0.features) }
        var branch: [Bool] = []
        for _ in 0..<10 {
            let c = model.coefficients.vector
            let next = parts.map { Self.dot($0.latency, c) >= Self.dot($0.compute, c) }
            if next == branch { break }
            branch = next
            let rows = zip(parts, branch).map { p, latency in
                zip(p.fixed, latency ? p.latency : p.compute).map { $0 + $1 }
            }
            let y = usable.map(\.seconds)
            let solved = LeastSquares.solve(rows: rows, targets: y, weights: y.map { 1 / ($0 * $0) },
                                            prior: prior.coefficients.vector)
            // Negative times per unit of work are noise, not physics.
            model.coefficients = Coefficients(vector: solved.map { max(0, $0) })
        }
        model.fit = statistics(usable, model: model)
        return model
    }

    /// R², MAPE (median) and friends of `model` over `samples`.
    public static func statistics(_ samples: [CalibrationSample], model: PerformanceModel) -> FitStatistics {
        var runs: [String: Int] = [:]
        for s in samples { runs[s.device, default: 0] += 1 }
        let devices = runs.sorted { $0.key < $1.key }.map { FitStatistics.DeviceRuns(device: $0.key, runs: $0.value) }
        guard !samples.isEmpty else {
            return FitStatistics(samples: 0, r2: 0, mape: 0, meanApe: 0, rmse: 0, devices: devices)
        }
        let y = samples.map(\.seconds)
        let predicted = samples.map { model.runtime($0.features) }
        let mean = y.reduce(0, +) / Double(y.count)
        var residual = 0.0, total = 0.0
        var ape: [Double] = []
        for (a, p) in zip(y, predicted) {
            residual += (a - p) * (a - p)
            total += (a - mean) * (a - mean)
            ape.append(abs(p - a) / a * 100)
        }
        return FitStatistics(samples: samples.count, r2: total > 0 ? 1 - residual / total : 0,
                             mape: median(ape), meanApe: ape.reduce(0, +) / Double(ape.count),
                             rmse: (residual / Double(y.count)).squareRoot(), devices: devices)
    }

    public static func median(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return 0 }
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}

extension PerformanceModel {
    /// One timed reconstruction: terms × observables of the plan, and the seconds it took.
    public struct ReconstructionSample: Sendable, Hashable, Codable {
        public var terms: Int
        public var observables: Int
        public var seconds: Double
        public init(terms: Int, observables: Int, seconds: Double) {
            self.terms = terms; self.observables = observables; self.seconds = seconds
        }
    }

    /// Fits the reconstruction's fixed cost and cost per million terms × observables by relative
    /// least squares (as `fit`); with no samples the model is returned unchanged.
    public static let termsToFitSlope = 10_000.0

    public func fittingReconstruction(_ samples: [ReconstructionSample]) -> PerformanceModel {
        let usable = samples.filter { $0.seconds >= Self.shortestSample }
        guard !usable.isEmpty else { return self }
        // Small plans say nothing about the cost per term (their time is the fixed part): below
        // `termsToFitSlope` terms × observables only the fixed cost is fitted, the slope kept.
        let largest = usable.map { Double($0.terms) * Double(max(1, $0.observables)) }.max() ?? 0
        guard largest >= Self.termsToFitSlope else {
            var copy = self
            let fixed = usable.map { max(0, $0.seconds - reconstructionSecondsPerMillionTerms * Double($0.terms) * Double(max(1, $0.observables)) / 1e6) }
            copy.reconstructionSeconds = Self.median(fixed)
            return copy
        }
        let rows = usable.map { [1, Double($0.terms) * Double(max(1, $0.observables)) / 1e6] }
        let y = usable.map(\.seconds)
        let beta = LeastSquares.solve(rows: rows, targets: y, weights: y.map { 1 / ($0 * $0) },
                                      prior: [reconstructionSeconds, reconstructionSecondsPerMillionTerms])
        var copy = self
        copy.reconstructionSeconds = max(0, beta[0])
        copy.reconstructionSecondsPerMillionTerms = max(0, beta[1])
        return copy
    }
}
