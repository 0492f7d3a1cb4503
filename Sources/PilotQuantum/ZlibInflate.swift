import CZlib
import Foundation

/// zlib-format decompression: Qiskit Runtime's JSON results carry NumPy arrays as base64 of
/// zlib-compressed `.npy` bytes.
enum ZlibInflate {
    /// Output beyond this is refused: a result that inflates further is not one a task may store.
    static let maxOutputBytes = 256 << 20

    static func inflate(_ input: Data) throws(QuantumError) -> Data {
        var stream = z_stream()
        guard inflateInit_(&stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw QuantumError(.runnerOutput, "zlib could not start inflating")
        }
        defer { inflateEnd(&stream) }
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var input = [UInt8](input)
        let status: Int32 = input.withUnsafeMutableBufferPointer { inBuf in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = uInt(inBuf.count)
            while true {
                let code: Int32 = chunk.withUnsafeMutableBufferPointer { outBuf in
                    stream.next_out = outBuf.baseAddress
                    stream.avail_out = uInt(outBuf.count)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                output.append(contentsOf: chunk[0..<produced])
                if code == Z_STREAM_END { return Z_STREAM_END }
                if code != Z_OK { return code }
                if output.count > maxOutputBytes { return Z_MEM_ERROR }
                if stream.avail_in == 0, produced == 0 { return Z_DATA_ERROR }
            }
        }
        guard status == Z_STREAM_END else {
            throw QuantumError(.runnerOutput, status == Z_MEM_ERROR ? "compressed array inflates past \(maxOutputBytes) bytes"
                                   : "compressed array is not valid zlib data (zlib status \(status))")
        }
        return output
    }
}
