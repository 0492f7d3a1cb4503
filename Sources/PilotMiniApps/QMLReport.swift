/// The JSON summary of `pilot miniapp qml --json` and of a `qml` stage.
public struct QMLReport: Sendable, Hashable, Codable {
    public var qubits: Int
    public var layers: Int
    public var parameters: Int
    public var dataset: String
    public var samples: Int
    public var testSamples: Int
    public var optimizer: String
    public var shots: Int
    public var epochs: Int
    public var finalLoss: Double?
    public var finalTrainAccuracy: Double?
    public var finalTestAccuracy: Double?
    public var bestTrainAccuracy: Double?
    public var circuitEvaluations: Int
    public var trainedParameters: [Double]
    public var history: [QMLEpoch]
    public var error: String?

    public func json(pretty: Bool = false, includeHistory: Bool = true) -> String {
        var copy = self
        if !includeHistory { copy.history = [] }
        return MiniAppJSON.encode(copy, pretty: pretty)
    }
}
