/// Bounds that keep a hostile document cheap: checked on the raw text before the parser (whose
/// composer recurses once per nesting level) and on the composed tree (aliases expanded).
public struct YAMLLimits: Sendable, Hashable {
    public var maxBytes: Int
    public var maxDepth: Int
    /// Nodes visited once aliases are followed, so an alias bomb can't blow up a small file.
    public var maxNodes: Int

    public init(maxBytes: Int = 16 << 20, maxDepth: Int = 64, maxNodes: Int = 2_000_000) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
    }
}
