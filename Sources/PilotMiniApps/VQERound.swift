/// One optimiser step of a variational run: the objective at the parameters the step started
/// from (energy for VQE, training loss for QML) and how many circuits it took.
public struct VQERound: Sendable, Hashable, Codable {
    public var round: Int
    public var energy: Double
    /// energy − exact ground energy.
    public var error: Double
    public var evaluations: Int
    public var seconds: Double
}
