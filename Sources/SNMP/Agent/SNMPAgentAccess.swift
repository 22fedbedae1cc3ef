import NIOCore

/// Who may read from an `SNMPAgent`, as net-snmp's `rocommunity`, `rocommunity6` and `rouser`
/// say: each community is accepted from its source networks only, and each USM user at or above
/// its lowest security level only.
///
/// Invariant: a request is served only when a grant covers it: its community from its source,
/// or its (authenticated) user at its level. A configured user without a grant gets an
/// `authorizationError`, as from net-snmp's VACM.
public struct SNMPAgentAccess: Sendable {
    /// `community` may be used from `source`.
    public struct CommunityGrant: Sendable, Hashable {
        public var community: String
        public var source: SNMPSourceNetwork

        public init(community: String, source: SNMPSourceNetwork) {
            self.community = community
            self.source = source
        }
    }

    /// The USM user `userName` may read at `minimumLevel` or above.
    public struct UserGrant: Sendable, Hashable {
        public var userName: String
        public var minimumLevel: SecurityLevel

        public init(userName: String, minimumLevel: SecurityLevel) {
            self.userName = userName
            self.minimumLevel = minimumLevel
        }
    }

    public var communities: [CommunityGrant]
    public var users: [UserGrant]
    /// Told of every refused request, on the agent's tasks; it should return quickly (the caller
    /// rate-limits its logging, see ``SNMPAgentRefusal``).
    public var onRefusal: (@Sendable (SNMPAgentRefusal) -> Void)?

    public init(
        communities: [CommunityGrant] = [], users: [UserGrant] = [],
        onRefusal: (@Sendable (SNMPAgentRefusal) -> Void)? = nil
    ) {
        self.communities = communities
        self.users = users
        self.onRefusal = onRefusal
    }

    /// What the grants say about a community from a source.
    enum CommunityDecision: Equatable {
        case allowed
        case unknownCommunity
        /// The community is granted, but not to this source.
        case notFromThisSource
    }

    func decide(community: [UInt8], from source: SocketAddress?) -> CommunityDecision {
        let grants = communities.filter { Array($0.community.utf8) == community }
        guard !grants.isEmpty else { return .unknownCommunity }
        // Without the source only a grant to every address of both families can be honoured.
        guard let source else {
            let families = Set(grants.filter { $0.source.prefixLength == 0 }.map(\.source.family))
            return families.count == 2 ? .allowed : .notFromThisSource
        }
        return grants.contains { $0.source.contains(source) } ? .allowed : .notFromThisSource
    }

    /// The lowest level `userName` may read at, or `nil` without a grant. With several grants for
    /// one user the most permissive one applies, as with several net-snmp access lines.
    func minimumLevel(of userName: [UInt8]) -> SecurityLevel? {
        users.filter { Array($0.userName.utf8) == userName }.map(\.minimumLevel)
            .min { SecurityLevel.rank($0) < SecurityLevel.rank($1) }
    }
}

/// A request the agent did not serve, and why; see ``SNMPAgentAccess/onRefusal``.
public struct SNMPAgentRefusal: Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// A v1/v2c community the agent does not know (its text is not kept: it may be a
        /// mistyped secret).
        case unknownCommunity
        /// A known community from a source none of its grants covers.
        case communityNotFromThisSource(community: String)
        /// A v3 user the agent does not know, or whose digest or decryption failed.
        case authenticationFailure(user: String, error: USMError)
        /// A user without any `rouser` grant.
        case userWithoutGrant(user: String)
        /// A user below the lowest level its grant allows.
        case securityLevelTooLow(user: String, level: SecurityLevel, required: SecurityLevel)
    }

    public var source: SocketAddress?
    public var reason: Reason

    public init(source: SocketAddress?, reason: Reason) {
        self.source = source
        self.reason = reason
    }

    /// The source's IP address without the port: the key a rate limit counts by.
    public var sourceAddress: String {
        source?.ipAddress ?? "unknown source"
    }

    public var description: String {
        let from = "from \(sourceAddress)"
        switch reason {
        case .unknownCommunity:
            return "refused a v1/v2c request \(from): unknown community"
        case .communityNotFromThisSource(let community):
            return
                "refused a v1/v2c request \(from): community `\(community)` is not allowed from this address"
        case .authenticationFailure(let user, let error):
            return "refused a v3 request \(from) for user `\(user)`: \(error)"
        case .userWithoutGrant(let user):
            return "refused a v3 request \(from): user `\(user)` has no rouser line"
        case .securityLevelTooLow(let user, let level, let required):
            return
                "refused a v3 request \(from): user `\(user)` asked at \(level.rawValue), its rouser line requires \(required.rawValue)"
        }
    }
}

extension SecurityLevel {
    static func rank(_ level: SecurityLevel) -> Int {
        switch level {
        case .noAuthNoPriv: return 0
        case .authNoPriv: return 1
        case .authPriv: return 2
        }
    }
}
