import LBCore

/// What the engine keeps of one served alias from one decision to the next, beside the
/// selection's own memory. A scheduled batch and a refresh (a push, a drain) may decide the
/// same alias at once; this keeps them in the order they decided.
struct AliasMemory {
    /// What DNS holds and the `rise`/`fall` streaks (`Selection.decide`).
    var selection = SelectionMemory()
    /// When the report each member's streak last counted was polled: a report counts once for
    /// the alias, however many decisions read it (a batch that decides after a refresh reads
    /// the refresh's newer report, which the refresh already counted).
    var counted: [String: ContinuousClock.Instant] = [:]
    /// Decisions made so far: an evaluation is kept only when no later decision was made while
    /// it was published.
    var decisions = 0
    /// The publication of the latest decision: the next one starts after it, so that DNS never
    /// ends with an older decision than the last one made.
    var publication: Task<AliasEvaluation, Never>?

    init(selection: SelectionMemory = SelectionMemory()) {
        self.selection = selection
    }

    /// The members whose report was not counted yet, and marks them counted.
    mutating func newReports(
        of members: [String], polledAt: (String) -> ContinuousClock.Instant?
    ) -> Set<String> {
        var new: Set<String> = []
        var counted: [String: ContinuousClock.Instant] = [:]
        for member in members {
            guard let instant = polledAt(member) else {
                new.insert(member)
                continue
            }
            if self.counted[member].map({ $0 < instant }) ?? true { new.insert(member) }
            counted[member] = instant
        }
        self.counted = counted
        return new
    }
}
