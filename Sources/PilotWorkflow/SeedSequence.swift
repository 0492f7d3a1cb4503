/// Deterministic seeds derived from the workflow seed, so reruns with the same seed regenerate the
/// same tasks and two stages (or two sweep variables) never share a stream by accident.
public enum SeedSequence {
    /// A non-negative 63-bit seed for `(stage, variable, index)` under `root`.
    public static func seed(root: UInt64, stage: String, variable: String, index: Int) -> UInt64 {
        var h = mix(root ^ 0x9E37_79B9_7F4A_7C15)
        h = mix(h ^ fnv1a(stage))
        h = mix(h ^ fnv1a(variable))
        h = mix(h ^ UInt64(truncatingIfNeeded: index))
        return h >> 1
    }

    /// splitmix64's finaliser: cheap, and every input bit affects every output bit.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }
}
