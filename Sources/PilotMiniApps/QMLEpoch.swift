/// One training epoch (one optimiser step over the full training set), at the parameters the
/// step started from.
public struct QMLEpoch: Sendable, Hashable, Codable {
    public var epoch: Int
    /// Mean squared error between f(x) and the ±1 label.
    public var loss: Double
    public var trainAccuracy: Double
    public var testAccuracy: Double?
    public var evaluations: Int
    public var seconds: Double
}
