/// What the selection remembers of an alias between two evaluations: what DNS holds now, and
/// each member's pass/fail streak for `rise`/`fall`.
///
/// The first evaluation after a start has only what the state directory says was published,
/// and no streaks: each member is then taken for what its poll says, as golbd does.
public struct SelectionMemory: Hashable, Sendable {
    /// The addresses the alias publishes now; nil when unknown (nothing published yet).
    public var published: Set<NodeAddress>?
    /// By member name as configured.
    public var health: [String: MemberHealth]

    public init(published: Set<NodeAddress>? = nil, health: [String: MemberHealth] = [:]) {
        self.published = published
        self.health = health
    }
}

/// A member's up/down state under `rise`/`fall`, as HAProxy and gdnsd keep it: a member that is
/// up leaves after `fall` failed polls in a row, one that is down comes back after `rise`
/// passed polls in a row.
public struct MemberHealth: Hashable, Sendable {
    public var isUp: Bool
    /// Polls in a row whose result disagrees with `isUp` (failures while up, passes while down).
    public var streak: Int
    /// The latest usable load, which ranks a member that is up but failing its last polls.
    public var lastUsableLoad: Int?

    public init(isUp: Bool, streak: Int = 0, lastUsableLoad: Int? = nil) {
        self.isUp = isUp
        self.streak = streak
        self.lastUsableLoad = lastUsableLoad
    }

    /// The state after one more poll. Without history the poll alone decides.
    public static func after(
        _ previous: MemberHealth?, usableLoad: Int?, rise: Int, fall: Int
    ) -> MemberHealth {
        let passed = usableLoad != nil
        guard var health = previous else {
            return MemberHealth(isUp: passed, lastUsableLoad: usableLoad)
        }
        if let usableLoad { health.lastUsableLoad = usableLoad }
        if passed == health.isUp {
            health.streak = 0
            return health
        }
        health.streak += 1
        if health.streak >= (health.isUp ? fall : rise) {
            health.isUp = passed
            health.streak = 0
        }
        return health
    }
}
