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
    /// A published member is replaced only by one whose load is lower by more than this share,
    /// in percent (0...99); nil replaces it by any lower load (ties always keep it).
    public var stickiness: Int?
    /// Passed polls in a row a member that is down needs to come back (1: golbd's).
    public var rise: Int
    /// Failed polls in a row a member that is up needs to leave (1: golbd's).
    public var fall: Int
    /// Below this many usable members, `belowMinimum` decides; nil for no floor (golbd's).
    public var minUsable: MinimumUsable?
    public var belowMinimum: BelowMinimumPolicy
    /// At most this many members leave DNS in one evaluation; nil for no limit (golbd's).
    public var maxChanges: Int?

    public init(
        bestHosts: BestHosts = .count(1),
        whenNoneUsable: NoUsableNodePolicy = .keep,
        pollingInterval: Int = 300,
        ttl: Int = 60,
        external: Bool = false,
        stickiness: Int? = nil,
        rise: Int = 1,
        fall: Int = 1,
        minUsable: MinimumUsable? = nil,
        belowMinimum: BelowMinimumPolicy = .failOpen,
        maxChanges: Int? = nil
    ) {
        self.bestHosts = bestHosts
        self.whenNoneUsable = whenNoneUsable
        self.pollingInterval = pollingInterval
        self.ttl = ttl
        self.external = external
        self.stickiness = stickiness
        self.rise = rise
        self.fall = fall
        self.minUsable = minUsable
        self.belowMinimum = belowMinimum
        self.maxChanges = maxChanges
    }

    /// Whether every option beyond golbd's is at golbd's behaviour.
    public var isGolbdCompatible: Bool {
        stickiness == nil && rise == 1 && fall == 1 && minUsable == nil && maxChanges == nil
    }

    /// The TTL of the published records: the configured one, never below 60 s.
    public var effectiveTTL: Int {
        max(ttl, Self.minimumTTL)
    }
}
