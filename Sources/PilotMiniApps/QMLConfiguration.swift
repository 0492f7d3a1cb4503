import PilotWorkflow

/// Parameters of the QML mini-app (also the `qml` stage's `params` keys).
public struct QMLConfiguration: Sendable, Hashable, Codable {
    public var qubits = 2
    public var layers = 1
    public var dataset = ClassificationDataSet.Shape.blobs
    public var samples = 24
    public var testSamples = 24
    public var noise = 0.3
    public var separation = 1.2
    /// Feature x goes in as ry(scale · x).
    public var encodingScale = 1.5
    public var epochs = 25
    public var optimizer = VariationalOptimizer.Settings(method: .adam, learningRate: 0.1)
    public var shots = 0
    public var device = "ideal-sim"
    public var seed: UInt64 = 1
    public var initScale = 0.1

    public init() {}

    static let keys = ["qubits", "layers", "dataset", "samples", "test_samples", "noise", "separation", "encoding_scale",
                       "epochs", "optimizer", "learning_rate", "spsa_a", "spsa_c", "shots", "device", "seed", "init_scale"]

    public init(params: ParamValue, defaultSeed: UInt64) throws(MiniAppError) {
        let r = try ParameterReader(params, allowed: Self.keys)
        qubits = try r.int("qubits", qubits, 2...8)
        layers = try r.int("layers", layers, 0...20)
        let shape = try r.string("dataset", dataset.rawValue)
        guard let d = ClassificationDataSet.Shape(rawValue: shape) else {
            throw MiniAppError(.invalidParameter, "must be blobs or circles", field: "params.dataset")
        }
        dataset = d
        samples = try r.int("samples", samples, 2...100_000)
        testSamples = try r.int("test_samples", testSamples, 0...100_000)
        noise = try r.double("noise", noise)
        separation = try r.double("separation", separation)
        encodingScale = try r.double("encoding_scale", encodingScale)
        epochs = try r.int("epochs", epochs, 1...100_000)
        optimizer.method = try r.method("optimizer", optimizer.method)
        optimizer.learningRate = try r.double("learning_rate", optimizer.learningRate)
        optimizer.spsaA = try r.double("spsa_a", optimizer.spsaA)
        optimizer.spsaC = try r.double("spsa_c", optimizer.spsaC)
        shots = try r.int("shots", shots, 0...10_000_000)
        device = try r.string("device", device)
        seed = UInt64(try r.int("seed", Int(truncatingIfNeeded: defaultSeed & 0x7fff_ffff_ffff_ffff), 0...Int.max))
        initScale = try r.double("init_scale", initScale)
        optimizer.seed = seed
    }
}
