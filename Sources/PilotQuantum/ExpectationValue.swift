/// An expectation value of a Pauli observable with its one-sigma standard error (0 when exact).
public struct ExpectationValue: Sendable, Codable, Hashable {
    public var observable: String
    public var value: Double
    public var standardError: Double

    public init(observable: String, value: Double, standardError: Double) {
        self.observable = observable
        self.value = value
        self.standardError = standardError
    }
}
