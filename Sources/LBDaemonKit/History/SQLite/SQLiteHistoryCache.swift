/// What the SQLite writer remembers between transactions, so that a batch costs one statement
/// per sample: the ids of names and members, and each alias's open memberships and last choice.
struct SQLiteHistoryCache: Sendable {
    var names: [SQLiteHistorySchema.Kind: [String: Int64]] = [:]
    /// By alias id, then node id.
    var members: [Int64: [Int64: Int64]] = [:]
    var aliases: [Int64: AliasState] = [:]

    struct AliasState: Sendable {
        /// Node name → (node id, start) of the memberships still open.
        var open: [String: (node: Int64, start: Int64)] = [:]
        /// The last evaluation's chosen nodes and policy; nil before the first.
        var previous: (chosen: Set<String>, policy: AppliedPolicy)?
    }
}
