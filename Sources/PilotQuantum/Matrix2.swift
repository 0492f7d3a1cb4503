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
    var isReal: Bool { a.im == 0 && b.im == 0 && c.im == 0 && d.im == 0 }
    var isRealDiagonalImaginaryOffDiagonal: Bool { a.im == 0 && d.im == 0 && b.re == 0 && c.re == 0 }

    /// Rough floating-point work per amplitude of the kernel `StateVectorKernels` picks for this
    /// matrix; used to decide whether folding it into a dense two-qubit gate pays off.
    var kernelCost: Int {
        if isIdentity { return 0 }
        if isDiagonal { return a == .one || d == .one ? 3 : 6 }
        if isAntiDiagonal { return b == .one && c == .one ? 1 : 6 }
        if isReal { return 4 }
        if isRealDiagonalImaginaryOffDiagonal { return 6 }
        return 16
    }
}
