/// An operator's decision to take a node out of one alias, or of every alias, for a while.
///
/// Times are Unix seconds, so that LBCore stays free of clocks: whoever applies drains says what
/// time it is.
public struct Drain: Hashable, Sendable, Codable {
    /// The member name as the configuration spells it (compared without case).
    public var node: String
    /// The alias the drain applies to; nil for every alias the node is a member of.
    public var alias: String?
    /// Who asked: a user name, or `api` with the token's owner.
    public var by: String
    public var reason: String
    /// When the drain was made.
    public var since: Int
    /// When it stops applying; nil for a drain that lasts until `lbd undrain`.
    public var until: Int?

    public init(node: String, alias: String? = nil, by: String, reason: String, since: Int, until: Int? = nil)
    {
        self.node = node
        self.alias = alias
        self.by = by
        self.reason = reason
        self.since = since
        self.until = until
    }

    /// Whether the drain is in force at `unixTime`.
    public func isActive(at unixTime: Int) -> Bool {
        until.map { unixTime < $0 } ?? true
    }

    /// Whether the drain covers `node` in `alias` (names compared without case, a trailing dot
    /// ignored).
    public func covers(node other: String, alias aliasName: String) -> Bool {
        Self.sameName(node, other) && (alias.map { Self.sameName($0, aliasName) } ?? true)
    }

    /// What the member's explanation says: `drained by <who>: <reason>`.
    public var explanation: String {
        "drained by \(by): \(reason)"
    }

    static func sameName(_ lhs: String, _ rhs: String) -> Bool {
        comparableName(lhs) == comparableName(rhs)
    }

    /// A node or alias name as drains compare it: lowercased, without a trailing dot. Everything
    /// that matches drains to names (the book, the engine, `lbd drain --config`) goes through it.
    public static func comparableName(_ name: String) -> String {
        (name.hasSuffix(".") ? String(name.dropLast()) : name).lowercased()
    }
}
