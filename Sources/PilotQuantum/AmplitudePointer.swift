/// Raw view of interleaved (re, im) amplitudes handed to worker threads. Each worker writes a
/// disjoint index range, which is what makes sharing the pointer safe.
struct AmplitudePointer: @unchecked Sendable {
    let base: UnsafeMutablePointer<Double>
}
