import PilotMiniApps
import PilotQuantum
import Testing

@Suite struct QMLTests {
    @Test func dataSetIsSeededAndBalanced() throws {
        let a = try ClassificationDataSet.generate(.blobs, count: 20, noise: 0.2, seed: 4)
        let b = try ClassificationDataSet.generate(.blobs, count: 20, noise: 0.2, seed: 4)
        #expect(a == b)
        #expect(a.labels.filter { $0 == 1 }.count == 10)
        let c = try ClassificationDataSet.generate(.circles, count: 20, noise: 0, seed: 4)
        for (p, y) in zip(c.points, c.labels) {
            let r = (p[0] * p[0] + p[1] * p[1]).squareRoot()
            #expect(abs(r - (y == 1 ? 0.3 : 0.9)) < 1e-12)
        }
    }

    /// On separable blobs the trained classifier must do clearly better than chance (0.5).
    @Test func classifierLearnsSeparableBlobs() async throws {
        var c = QMLConfiguration()
        c.samples = 20
        c.testSamples = 20
        c.noise = 0.25
        c.epochs = 20
        let report = try await QMLMiniApp.run(c, runner: .cpu(concurrency: 2))
        let train = try #require(report.finalTrainAccuracy)
        let test = try #require(report.finalTestAccuracy)
        #expect(train >= 0.85, "train accuracy \(train)")
        #expect(test >= 0.8, "test accuracy \(test)")
        let first = try #require(report.history.first?.loss)
        #expect(try #require(report.finalLoss) < first)
        print("QML: accuracy per epoch \(report.history.map { ($0.trainAccuracy, $0.testAccuracy ?? -1) })")
    }

    @Test func outputIsTheMeanOfZ() async throws {
        let classifier = try QMLClassifier(qubits: 2, layers: 1, encodingScale: 1.5)
        let theta = VariationalOptimizer.initialParameters(count: classifier.parameterCount, scale: 1, seed: 2)
        let circuit = classifier.circuit(features: [0.3, -0.4], parameters: theta)
        let result = try await LocalQuantumRunner.cpu().run(QuantumJob(circuit: circuit.qasm(), shots: 0,
                                                                        observables: classifier.observables))
        let sim = StateVectorSimulator()
        let z0 = try sim.expectation(PauliString("IZ"), circuit: circuit)
        let z1 = try sim.expectation(PauliString("ZI"), circuit: circuit)
        #expect(abs(try classifier.output(result) - (z0 + z1) / 2) < 1e-12)
    }
}
