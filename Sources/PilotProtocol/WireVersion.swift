/// Every message and file format carries a version; peers refuse versions they don't speak.
public enum WireVersion {
    public static let current = 1
    /// Largest agent-channel frame or API body accepted, so a hostile peer can't exhaust memory.
    public static let maxFrameBytes = 64 << 20
    public static let maxAPIBodyBytes = 128 << 20
}
