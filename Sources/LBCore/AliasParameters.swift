/// How one alias is evaluated and published.
///
/// Every field has a safe default, so an alias never publishes zero hosts by accident (golbd's
/// missing `best_hosts` meant 0).
public struct AliasParameters: Hashable, Sendable {
    /// The smallest TTL lbd publishes, whatever is configured (as golbd).
    public static let minimumTTL = 60

    public var bestHosts: BestHosts
    public var whenNoneUsable: NoUsableNodePolicy
    /// Seconds between two evaluations of the alias.
    public var pollingInterval: Int
    /// The TTL asked for; see `effectiveTTL`.
    public var ttl: Int
    /// Whether the alias is also published in the external DNS view.
    public var external: Bool

    public init(
        bestHosts: BestHosts = .count(1),
        whenNoneUsable: NoUsableNodePolicy = .keep,
        pollingInterval: Int = 300,
        ttl: Int = 60,
        external: Bool = false
    ) {
        self.bestHosts = bestHosts
        self.whenNoneUsable = whenNoneUsable
        self.pollingInterval = pollingInterval
        self.ttl = ttl
        self.external = external
    }

    /// The TTL of the published records: the configured one, never below 60 s.
    public var effectiveTTL: Int {
        max(ttl, Self.minimumTTL)
    }
}
