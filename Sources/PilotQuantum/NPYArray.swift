import Foundation

/// A NumPy array read from `.npy` bytes (format versions 1 to 3), as `np.save` writes them
/// without pickling: a header giving dtype, order and shape, then the raw elements.
struct NPYArray: Sendable {
    enum Element: String, Sendable { case uint8 = "u1", bool = "b1", int64 = "i8", float64 = "f8", float32 = "f4" }

    var element: Element
    var shape: [Int]
    /// Elements in C order, little-endian as the supported dtypes are stored on the machines that write them.
    var bytes: [UInt8]

    var count: Int { shape.reduce(1, *) }

    init(_ data: Data) throws(QuantumError) {
        let b = [UInt8](data)
        func bad(_ why: String) -> QuantumError { QuantumError(.runnerOutput, "not a NumPy array: \(why)") }
        guard b.count >= 10, b[0] == 0x93, Array(b[1..<6]) == Array("NUMPY".utf8) else { throw bad("no .npy magic") }
        let major = b[6]
        let headerLength: Int
        let start: Int
        switch major {
        case 1:
            headerLength = Int(b[8]) | Int(b[9]) << 8
            start = 10
        case 2, 3:
            guard b.count >= 12 else { throw bad("truncated header") }
            headerLength = Int(b[8]) | Int(b[9]) << 8 | Int(b[10]) << 16 | Int(b[11]) << 24
            start = 12
        default:
            throw bad("format version \(major)")
        }
        guard start + headerLength <= b.count else { throw bad("truncated header") }
        let header = String(decoding: b[start..<(start + headerLength)], as: UTF8.self)
        guard let descr = Self.field("descr", in: header), descr.count >= 3 else { throw bad("no dtype in '\(header)'") }
        let order = descr.first!
        guard let element = Element(rawValue: String(descr.dropFirst())), order == "<" || order == "|" else {
            throw bad("dtype '\(descr)' is not one a primitive result uses")
        }
        guard !header.contains("'fortran_order': True") else { throw bad("Fortran order") }
        guard let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
            throw bad("no shape in '\(header)'")
        }
        var shape: [Int] = []
        for part in header[open.upperBound..<close].split(separator: ",") {
            let text = part.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            guard let n = Int(text), n >= 0 else { throw bad("shape entry '\(text)'") }
            shape.append(n)
        }
        self.element = element
        self.shape = shape
        let size = element == .float64 || element == .int64 ? 8 : element == .float32 ? 4 : 1
        let body = b.count - start - headerLength
        guard body == shape.reduce(1, *) * size else {
            throw bad("\(body) data bytes for shape \(shape) of \(descr)")
        }
        bytes = Array(b[(start + headerLength)...])
    }

    /// An array given as numbers (Runtime's JSON writes small or object arrays as lists).
    init(doubles: [Double], shape: [Int]) {
        element = .float64
        self.shape = shape
        bytes = doubles.flatMap { x in (0..<8).map { UInt8(truncatingIfNeeded: x.bitPattern >> (8 * UInt64($0))) } }
    }

    /// The value of `'key': 'value'` in the header's dict literal.
    private static func field(_ key: String, in header: String) -> String? {
        guard let r = header.range(of: "'\(key)': '") else { return nil }
        let rest = header[r.upperBound...]
        guard let end = rest.firstIndex(of: "'") else { return nil }
        return String(rest[..<end])
    }

    /// Every element as a Double, in C order.
    func doubles() -> [Double] {
        switch element {
        case .uint8, .bool: return bytes.map { Double($0) }
        case .float64: return stride(from: 0, to: bytes.count, by: 8).map { Double(bitPattern: word(at: $0, 8)) }
        case .float32: return stride(from: 0, to: bytes.count, by: 4).map { Double(Float(bitPattern: UInt32(word(at: $0, 4)))) }
        case .int64: return stride(from: 0, to: bytes.count, by: 8).map { Double(Int64(bitPattern: word(at: $0, 8))) }
        }
    }

    private func word(at offset: Int, _ size: Int) -> UInt64 {
        var w: UInt64 = 0
        for k in 0..<size { w |= UInt64(bytes[offset + k]) << (8 * UInt64(k)) }
        return w
    }
}
