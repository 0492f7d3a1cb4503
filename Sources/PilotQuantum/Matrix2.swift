/// A 2×2 complex matrix [[a, b], [c, d]] acting on (|0⟩, |1⟩) of one qubit.
public struct Matrix2: Sendable, Hashable {
    public var a: ComplexAmplitude
    public var b: ComplexAmplitude
    public var c: ComplexAmplitude
    public var d: ComplexAmplitude

    public init(_ a: ComplexAmplitude, _ b: ComplexAmplitude, _ c: ComplexAmplitude, _ d: ComplexAmplitude) {
        self.a = a
        self.b = b
        self.c = c
        self.d = d
    }

    public static let identity = Matrix2(.one, .zero, .zero, .one)

    /// `self` applied after `earlier`.
    public func after(_ earlier: Matrix2) -> Matrix2 {
        Matrix2(a * earlier.a + b * earlier.c, a * earlier.b + b * earlier.d,
                c * earlier.a + d * earlier.c, c * earlier.b + d * earlier.d)
    }

    var isDiagonal: Bool { b == .zero && c == .zero }
    var isAntiDiagonal: Bool { a == .zero && d == .zero }
    var isIdentity: Bool { self == .identity }
}
