import Foundation

/// What `GET /api/v1/aliases/{alias}/history` answers: the alias's `AliasHistory` over the
/// window, and the share of it each node spent behind the alias.
public struct AliasHistoryAnswer: Hashable, Sendable, Codable {
    public var alias: String
    public var from: Date
    public var to: Date
    public var memberships: [MembershipInterval]
    public var loads: [LoadSample]
    public var decisions: [DecisionChange]
    /// By node, the share of the window (0...1) it was behind the alias.
    public var shareBehindAlias: [String: Double]

    public init(_ history: AliasHistory) {
        alias = history.alias
        from = history.from
        to = history.to
        memberships = history.memberships
        loads = history.loads
        decisions = history.decisions
        shareBehindAlias = history.shareBehindAlias()
    }
}
