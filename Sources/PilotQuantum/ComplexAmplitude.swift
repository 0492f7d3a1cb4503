import Foundation

/// A complex number stored as two Doubles, laid out exactly like the interleaved (re, im) pairs
/// the simulator kernels work on, so arrays of it can be reinterpreted without copying.
public struct ComplexAmplitude: Sendable, Hashable, Codable {
    public var re: Double
    public var im: Double

    @inlinable public init(_ re: Double, _ im: Double = 0) {
        self.re = re
        self.im = im
    }

    public static let zero = ComplexAmplitude(0, 0)
    public static let one = ComplexAmplitude(1, 0)
    public static let i = ComplexAmplitude(0, 1)

    /// e^{iθ}
    @inlinable public static func phase(_ theta: Double) -> ComplexAmplitude {
        ComplexAmplitude(cos(theta), sin(theta))
    }

    @inlinable public var conjugate: ComplexAmplitude { ComplexAmplitude(re, -im) }
    @inlinable public var normSquared: Double { re * re + im * im }
    @inlinable public var magnitude: Double { normSquared.squareRoot() }

    @inlinable public static func + (a: ComplexAmplitude, b: ComplexAmplitude) -> ComplexAmplitude {
        ComplexAmplitude(a.re + b.re, a.im + b.im)
    }
    @inlinable public static func - (a: ComplexAmplitude, b: ComplexAmplitude) -> ComplexAmplitude {
        ComplexAmplitude(a.re - b.re, a.im - b.im)
    }
    @inlinable public static prefix func - (a: ComplexAmplitude) -> ComplexAmplitude {
        ComplexAmplitude(-a.re, -a.im)
    }
    @inlinable public static func * (a: ComplexAmplitude, b: ComplexAmplitude) -> ComplexAmplitude {
        ComplexAmplitude(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)
    }
    @inlinable public static func * (a: Double, b: ComplexAmplitude) -> ComplexAmplitude {
        ComplexAmplitude(a * b.re, a * b.im)
    }
    @inlinable public static func += (a: inout ComplexAmplitude, b: ComplexAmplitude) { a = a + b }

    // Encoded as a two-element array so statevector JSON stays compact and matches the fixtures.
    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        re = try container.decode(Double.self)
        im = try container.decode(Double.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(re)
        try container.encode(im)
    }
}
