import LBCore

/// What one write of the drains file did: the drain added and the one it replaced, the drains
/// removed, and the expired ones dropped on the way.
public struct DrainChange: Hashable, Sendable {
    public var added: Drain?
    /// The drain of the same node and alias that `added` replaced.
    public var replaced: Drain?
    public var removed: [Drain] = []
    public var expired: [Drain] = []

    public init(added: Drain? = nil, replaced: Drain? = nil, removed: [Drain] = [], expired: [Drain] = []) {
        self.added = added
        self.replaced = replaced
        self.removed = removed
        self.expired = expired
    }
}
