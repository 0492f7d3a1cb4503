/// Outcome of `pilot miniapp cutting`: the cut's shape, the reconstructed value with its
/// propagated standard error, and the exact value of the uncut circuit.
public struct CuttingReport: Sendable, Hashable, Codable {
    public var qubits: Int
    public var maxFragmentQubits: Int
    public var cuts: Int
    public var fragments: Int
    public var fragmentWidths: [Int]
    public var subexperiments: Int
    public var reconstructionTerms: Int
    public var shots: Int
    public var observable: String
    public var reconstructed: Double
    public var standardError: Double
    public var exact: Double
    public var error: Double
    /// |error| ≤ 3 standard errors (or ≤ 1e-9 with exact sub-experiments).
    public var withinThreeSigma: Bool
    public var seconds: Double

    public func json(pretty: Bool = false) -> String { MiniAppJSON.encode(self, pretty: pretty) }
}
