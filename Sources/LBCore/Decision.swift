/// What lbd decided for one alias in one evaluation, and why: the addresses to publish (or that
/// DNS is to be left alone), every member with its load and the reason it was or was not chosen,
/// the policy applied when nothing was usable, and warnings.
///
/// Logs, the JSON API, status pages and `lbd simulate` all render this one value.
public struct Decision: Hashable, Sendable {
    /// The sorted, de-duplicated addresses to publish; `nil` when DNS is to be left unchanged.
    public var publish: [NodeAddress]?
    public var alias: String
    public var parameters: AliasParameters
    /// Every member, in configuration order.
    public var members: [MemberDecision]
    /// The policy applied because no member was usable; `nil` when some member was.
    public var appliedPolicy: NoUsableNodePolicy?
    public var warnings: [SelectionWarning]

    public init(
        alias: String, parameters: AliasParameters, members: [MemberDecision], publish: [NodeAddress]?,
        appliedPolicy: NoUsableNodePolicy?, warnings: [SelectionWarning]
    ) {
        self.alias = alias
        self.parameters = parameters
        self.members = members
        self.publish = publish
        self.appliedPolicy = appliedPolicy
        self.warnings = warnings
    }

    /// How many members were usable.
    public var usableCount: Int {
        members.count { $0.evaluation.state.isUsable }
    }

    /// The members whose addresses are published, best first.
    public var chosen: [MemberDecision] {
        members.filter(\.isChosen).sorted { ($0.rank ?? .max) < ($1.rank ?? .max) }
    }
}

/// One member of an alias in a `Decision`.
public struct MemberDecision: Hashable, Sendable {
    /// Why the member is, or is not, behind the alias.
    public enum Reason: Hashable, Sendable {
        /// Among the `bestHosts` least loaded usable members.
        case chosen
        /// Usable, but others were less loaded.
        case rankedOut
        /// Nothing was usable; the `random` policy picked this member.
        case pickedAtRandom
        /// Not usable (`evaluation.state` says why).
        case unusable
    }

    public var evaluation: MemberEvaluation
    public var reason: Reason
    /// The position among usable members after the random tie-break (1 = least loaded).
    public var rank: Int?
    /// The addresses this member contributes to the published set.
    public var published: [NodeAddress]

    public init(evaluation: MemberEvaluation, reason: Reason, rank: Int?, published: [NodeAddress]) {
        self.evaluation = evaluation
        self.reason = reason
        self.rank = rank
        self.published = published
    }

    public var node: String { evaluation.node }

    public var isChosen: Bool {
        reason == .chosen || reason == .pickedAtRandom
    }
}

/// Something an operator should know about a decision; it does not stop the decision.
public enum SelectionWarning: Hashable, Sendable, CustomStringConvertible {
    /// Fewer usable members than `bestHosts` asked for; all of them are published.
    case fewerUsableThanRequested(usable: Int, requested: Int)
    /// `bestHosts` asks for more members than the alias has.
    case bestHostsExceedsMembers(requested: Int, members: Int)
    /// No member was usable; the policy decided.
    case noUsableMembers(NoUsableNodePolicy)
    /// The `random` policy had no member with a resolved address to pick.
    case nothingToPickAtRandom

    public var description: String {
        switch self {
        case .fewerUsableThanRequested(let usable, let requested):
            return "only \(usable) usable member(s), \(requested) requested"
        case .bestHostsExceedsMembers(let requested, let members):
            return "best_hosts is \(requested) but the alias has only \(members) member(s)"
        case .noUsableMembers(.random):
            return "no usable member: publishing members picked at random"
        case .noUsableMembers(.empty):
            return "no usable member: publishing no address"
        case .noUsableMembers(.keep):
            return "no usable member: leaving DNS unchanged"
        case .nothingToPickAtRandom:
            return "no member has a resolved address to pick at random: publishing no address"
        }
    }
}
