/// What the selection remembers of an alias between two evaluations: what DNS holds now, and
/// each member's pass/fail streak for `rise`/`fall`.
///
/// The first evaluation after a start has only what the state directory says was published,
/// and no streaks: each member is then taken for what its poll says, as golbd does.
public struct SelectionMemory: Hashable, Sendable {
    /// The addresses the alias publishes now; nil when unknown (nothing published yet).
    public var published: Set<NodeAddress>?
    /// The members whose streaks are kept, in the alias's order at the last decision, and each
    /// one's streak at the same position: a decision finds a member's streak at its own
    /// position rather than by hashing its name.
    public private(set) var members: [String]
    public private(set) var streaks: [MemberHealth]

    /// - Parameter health: streaks by member name as configured.
    public init(published: Set<NodeAddress>? = nil, health: [String: MemberHealth] = [:]) {
        self.published = published
        let byName = health.sorted { $0.key < $1.key }
        members = byName.map(\.key)
        streaks = byName.map(\.value)
    }

    init(published: Set<NodeAddress>?, members: [String], streaks: [MemberHealth]) {
        self.published = published
        self.members = members
        self.streaks = streaks
    }

    /// The streaks by member name (a member listed twice has one streak).
    public var health: [String: MemberHealth] {
        Dictionary(zip(members, streaks), uniquingKeysWith: { first, _ in first })
    }

    /// The streak of `node`: at `position` while the alias's members are as they were, else
    /// found by name (a reload changed the alias's member list).
    func streak(of node: String, at position: Int) -> MemberHealth? {
        if position < members.count, members[position] == node { return streaks[position] }
        return members.firstIndex(of: node).map { streaks[$0] }
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
