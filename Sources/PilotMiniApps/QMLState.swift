import PilotQuantum

/// The QML training loop as a state machine (shared by `pilot miniapp qml` and the `qml` driver):
/// each epoch evaluates the classifier on every training point at every optimiser point, plus the
/// test set at the current parameters, then takes one optimiser step on the mean squared error.
public struct QMLState: Sendable {
    public let configuration: QMLConfiguration
    public let classifier: QMLClassifier
    public let training: ClassificationDataSet
    public let test: ClassificationDataSet
    public private(set) var optimizer: VariationalOptimizer
    public private(set) var epochs: [QMLEpoch] = []

    public init(_ configuration: QMLConfiguration) throws(MiniAppError) {
        self.configuration = configuration
        classifier = try QMLClassifier(qubits: configuration.qubits, layers: configuration.layers,
                                       encodingScale: configuration.encodingScale)
        training = try .generate(configuration.dataset, count: configuration.samples, noise: configuration.noise,
                                 separation: configuration.separation, seed: configuration.seed)
        test = configuration.testSamples == 0 ? ClassificationDataSet(points: [], labels: [])
            : try .generate(configuration.dataset, count: max(2, configuration.testSamples), noise: configuration.noise,
                            separation: configuration.separation, seed: configuration.seed &+ 0x5eed)
        let initial = VariationalOptimizer.initialParameters(count: classifier.parameterCount,
                                                             scale: configuration.initScale, seed: configuration.seed)
        optimizer = try VariationalOptimizer(initial: initial, settings: configuration.optimizer)
    }

    public var isDone: Bool { epochs.count >= configuration.epochs }

    /// Training jobs point-major (all samples at point 0, then point 1, …), then the test set.
    public func pendingJobs() -> [QuantumJob] {
        var jobs: [QuantumJob] = []
        let epoch = UInt64(epochs.count)
        func job(_ x: [Double], _ theta: [Double]) -> QuantumJob {
            let seed = configuration.seed &+ epoch &* 1_000_003 &+ UInt64(jobs.count)
            return QuantumJob(circuit: classifier.circuit(features: x, parameters: theta).qasm(), shots: configuration.shots,
                              seed: seed, observables: classifier.observables, device: configuration.device)
        }
        for theta in optimizer.points() {
            for x in training.points { jobs.append(job(x, theta)) }
        }
        for x in test.points { jobs.append(job(x, optimizer.parameters)) }
        return jobs
    }

    static func accuracy(_ outputs: ArraySlice<Double>, _ labels: [Int]) -> Double {
        guard !labels.isEmpty else { return 0 }
        var right = 0
        for (f, y) in zip(outputs, labels) where (f >= 0 ? 1 : -1) == y { right += 1 }
        return Double(right) / Double(labels.count)
    }

    @discardableResult
    public mutating func record(_ results: [QuantumResult], seconds: Double = 0) throws(MiniAppError) -> QMLEpoch {
        let n = training.count
        let expected = optimizer.pointsPerStep * n + test.count
        guard results.count == expected else {
            throw MiniAppError(.badResult, "expected \(expected) results in the epoch, got \(results.count)")
        }
        var outputs: [Double] = []
        outputs.reserveCapacity(results.count)
        for r in results { outputs.append(try classifier.output(r)) }
        let evaluations = (0..<optimizer.pointsPerStep).map { Array(outputs[($0 * n)..<(($0 + 1) * n)]) }
        let labels = training.labels.map(Double.init)
        let loss = try optimizer.step(
            evaluations: evaluations,
            loss: { f in zip(f, labels).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(n) },
            lossGradient: { f in zip(f, labels).map { 2 * ($0 - $1) / Double(n) } })
        let testOutputs = outputs[(optimizer.pointsPerStep * n)...]
        let epoch = QMLEpoch(epoch: epochs.count, loss: loss,
                             trainAccuracy: Self.accuracy(evaluations[0][...], training.labels),
                             testAccuracy: test.count > 0 ? Self.accuracy(testOutputs, test.labels) : nil,
                             evaluations: results.count, seconds: seconds)
        epochs.append(epoch)
        return epoch
    }

    public var report: QMLReport {
        QMLReport(qubits: configuration.qubits, layers: configuration.layers, parameters: classifier.parameterCount,
                  dataset: configuration.dataset.rawValue, samples: training.count, testSamples: test.count,
                  optimizer: configuration.optimizer.method.rawValue, shots: configuration.shots, epochs: epochs.count,
                  finalLoss: epochs.last?.loss, finalTrainAccuracy: epochs.last?.trainAccuracy,
                  finalTestAccuracy: epochs.last?.testAccuracy, bestTrainAccuracy: epochs.map(\.trainAccuracy).max(),
                  circuitEvaluations: epochs.reduce(0) { $0 + $1.evaluations }, trainedParameters: optimizer.parameters,
                  history: epochs)
    }
}
