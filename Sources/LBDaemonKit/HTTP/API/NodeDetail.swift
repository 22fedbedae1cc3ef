import Foundation
import LBCore

/// What `GET /api/v1/nodes/{node}` answers: the node's addresses, what it last answered for each
/// alias it is a member of, and the aliases it is behind now.
public struct NodeDetail: Hashable, Sendable, Codable {
    public var node: String
    /// Its addresses as last resolved, in resolver order (from its latest evaluation).
    public var addresses: [String]
    /// The aliases it is behind now, by name.
    public var serves: [String]
    /// One entry per alias it is a member of, by name.
    public var aliases: [Membership]

    /// The node in one alias.
    public struct Membership: Hashable, Sendable, Codable {
        public var alias: String
        /// When its answers were read; absent before the alias's first evaluation (and so are
        /// the fields below but `alias`).
        public var evaluatedAt: Date?
        public var member: MemberDetail?
    }

    /// nil when no served alias has `node` as a member.
    init?(node: String, aliases: [AliasConfiguration], evaluations: [String: AliasEvaluation]) {
        let wanted = node.lowercased()
        var memberships: [Membership] = []
        var latest: (Date, [String])?
        var name = node
        for alias in aliases.sorted(by: { $0.name < $1.name }) {
            guard let configured = alias.members.first(where: { $0.lowercased() == wanted }) else { continue }
            name = configured
            let evaluation = evaluations[alias.name]
            let member = evaluation?.decision.members.first { $0.node.lowercased() == wanted }
            memberships.append(
                Membership(
                    alias: alias.name, evaluatedAt: evaluation?.finishedAt,
                    member: member.map { MemberDetail($0, bestHosts: alias.parameters.bestHosts) }))
            if let evaluation, let member, latest.map({ $0.0 < evaluation.finishedAt }) ?? true {
                latest = (evaluation.finishedAt, member.evaluation.addresses.map(\.address.description))
            }
        }
        guard !memberships.isEmpty else { return nil }
        self.node = name
        self.addresses = latest?.1 ?? []
        self.aliases = memberships
        self.serves = memberships.filter { $0.member?.chosen == true }.map(\.alias)
    }
}
