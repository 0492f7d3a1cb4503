/// Every message and file format carries a version; peers refuse versions they don't speak.
public enum WireVersion {
    public static let current = 1
    /// Largest agent-channel frame or API body accepted, so a hostile peer can't exhaust memory.
    public static let maxFrameBytes = 64 << 20
    public static let maxAPIBodyBytes = 128 << 20
    /// Largest frame before the peer has authenticated: a hello is a few KB. An agent whose hello
    /// is larger (many unacknowledged results) sends an `AgentAuth` frame first.
    public static let maxPreAuthFrameBytes = 64 << 10
}
