import LBCore

/// What the engine keeps of one served alias from one decision to the next, beside the
/// selection's own memory. A scheduled batch and a refresh (a push, a drain) may decide the
/// same alias at once; this keeps them in the order they decided.
struct AliasMemory {
    /// What DNS holds and the `rise`/`fall` streaks (`Selection.decide`).
    var selection = SelectionMemory()
    /// When the report each member's streak last counted was polled, by member position in the
    /// alias's definition: a report counts once for the alias, however many decisions read it
    /// (a batch that decides after a refresh reads the refresh's newer report, which the
    /// refresh already counted).
    private(set) var counted: [ContinuousClock.Instant?] = []
    /// Decisions made so far: an evaluation is kept only when no later decision was made while
    /// it was published.
    var decisions = 0
    /// The publication of the latest decision: the next one starts after it, so that DNS never
    /// ends with an older decision than the last one made.
    var publication: Task<AliasEvaluation, Never>?

    init(selection: SelectionMemory = SelectionMemory()) {
        self.selection = selection
    }

    /// The members whose report was not counted yet, and marks them counted; nil when every
    /// one is new (the common case: a scheduled evaluation polled them all).
    ///
    /// - Parameter polledAt: when each member's report was polled, in member order; nil for a
    ///   member without a report, which is always new.
    mutating func newReports(of members: [String], polledAt: [ContinuousClock.Instant?]) -> Set<String>? {
        var old: [Int] = []
        for (position, instant) in polledAt.enumerated() {
            guard let instant, position < counted.count, let last = counted[position] else { continue }
            if last >= instant { old.append(position) }
        }
        counted = polledAt
        guard !old.isEmpty else { return nil }
        var new = Set(members)
        for position in old { new.remove(members[position]) }
        return new
    }

    /// Carries the counted reports over to the alias's new member list (a reload changed its
    /// definition), by member name.
    mutating func renumber(from old: [String], to new: [String]) {
        guard old != new else { return }
        var byName: [String: ContinuousClock.Instant] = [:]
        for (position, member) in old.enumerated() where position < counted.count {
            byName[member] = counted[position]
        }
        counted = new.map { byName[$0] }
    }
}
