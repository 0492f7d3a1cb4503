import Foundation
import PilotQuantum

/// A labelled 2-D data set for the QML mini-app, generated from a seed so every run (and every
/// driver restart) sees the same points. Labels are ±1.
public struct ClassificationDataSet: Sendable, Hashable, Codable {
    public enum Shape: String, Sendable, Hashable, Codable, CaseIterable {
        /// Two Gaussian blobs centred at ±(separation/2)·(1, 1): linearly separable when the
        /// noise is small against the separation.
        case blobs
        /// An inner disc (label +1) inside a ring (label −1); needs a non-linear boundary.
        case circles
    }

    public var points: [[Double]]
    public var labels: [Int]

    public init(points: [[Double]], labels: [Int]) {
        self.points = points
        self.labels = labels
    }

    public var count: Int { points.count }

    public static func generate(_ shape: Shape, count: Int, noise: Double, separation: Double = 1.2,
                                seed: UInt64) throws(MiniAppError) -> ClassificationDataSet {
        guard count >= 2, count <= 100_000 else {
            throw MiniAppError(.invalidParameter, "samples must be 2...100000, got \(count)", field: "samples")
        }
        guard noise >= 0, noise.isFinite else { throw MiniAppError(.invalidParameter, "noise must be ≥ 0", field: "noise") }
        var rng = SeededGenerator(seed: seed, stream: 31)
        func gaussian() -> Double {
            // Box–Muller; 1 − u keeps the logarithm finite.
            let u = 1 - rng.nextDouble(), v = rng.nextDouble()
            return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
        }
        var points: [[Double]] = []
        var labels: [Int] = []
        for i in 0..<count {
            let label = i % 2 == 0 ? 1 : -1
            switch shape {
            case .blobs:
                let c = Double(label) * separation / 2
                points.append([c + noise * gaussian(), c + noise * gaussian()])
            case .circles:
                let radius = (label == 1 ? 0.3 : 0.9) + noise * gaussian()
                let angle = 2 * Double.pi * rng.nextDouble()
                points.append([radius * cos(angle), radius * sin(angle)])
            }
            labels.append(label)
        }
        return ClassificationDataSet(points: points, labels: labels)
    }
}
