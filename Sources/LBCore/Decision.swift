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
    /// The `min_usable` policy applied because too few members were usable; nil otherwise.
    public var appliedFloor: BelowMinimumPolicy?
    public var warnings: [SelectionWarning]

    public init(
        alias: String, parameters: AliasParameters, members: [MemberDecision], publish: [NodeAddress]?,
        appliedPolicy: NoUsableNodePolicy?, warnings: [SelectionWarning],
        appliedFloor: BelowMinimumPolicy? = nil
    ) {
        self.alias = alias
        self.parameters = parameters
        self.members = members
        self.publish = publish
        self.appliedPolicy = appliedPolicy
        self.appliedFloor = appliedFloor
        self.warnings = warnings
    }

    /// How many members were usable: answered a usable load (or are up and failing fewer than
    /// `fall` polls), are not drained, and are not waiting for `rise` passed polls.
    public var usableCount: Int {
        members.count(where: \.isUsable)
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
        /// Not usable (`evaluation.state` says why, or a `rising` note).
        case unusable
        /// Taken out by an operator (a `drained` note says who and why).
        case drained
        /// Published whatever it answered: fewer members than `min_usable` were usable and the
        /// alias fails open.
        case failedOpen
        /// Would have left DNS, kept because of `max_changes`.
        case keptByMaxChanges
    }

    public var evaluation: MemberEvaluation
    public var reason: Reason
    /// The position among usable members after the random tie-break (1 = least loaded).
    public var rank: Int?
    /// The addresses this member contributes to the published set.
    public var published: [NodeAddress]
    /// What drains, `rise`/`fall`, stickiness, `max_changes` and `min_usable` did to the member.
    public var notes: [SelectionNote]
    /// The load the member was ranked with: its usable load, or its last one while failing
    /// fewer than `fall` polls; nil when it was not ranked.
    public var rankedLoad: Int?

    public init(
        evaluation: MemberEvaluation, reason: Reason, rank: Int?, published: [NodeAddress],
        notes: [SelectionNote] = [], rankedLoad: Int? = nil
    ) {
        self.evaluation = evaluation
        self.reason = reason
        self.rank = rank
        self.published = published
        self.notes = notes
        self.rankedLoad = rankedLoad ?? (rank != nil ? evaluation.load : nil)
    }

    public var node: String { evaluation.node }

    /// Whether the member is behind the alias after this decision.
    public var isChosen: Bool {
        switch reason {
        case .chosen, .pickedAtRandom, .failedOpen, .keptByMaxChanges: return true
        case .rankedOut, .unusable, .drained: return false
        }
    }

    /// Whether the member competed on load: it was ranked.
    public var isUsable: Bool { rank != nil }
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
    /// Fewer members than `min_usable` were usable; the floor's policy decided.
    case belowMinimumUsable(usable: Int, minimum: Int, policy: BelowMinimumPolicy)
    /// More members should have left DNS than `max_changes` allows; some were kept.
    case changesLimited(leaving: Int, limit: Int)
    /// DNS is kept as it is, and only drained members are in it: removing them would leave
    /// the alias without an address.
    case drainedMembersKept

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
        case .belowMinimumUsable(let usable, let minimum, .failOpen):
            return
                "only \(usable) usable member(s), below min_usable \(minimum): publishing every resolved member (fail open)"
        case .belowMinimumUsable(let usable, let minimum, .keep):
            return "only \(usable) usable member(s), below min_usable \(minimum): leaving DNS unchanged"
        case .drainedMembersKept:
            return
                "DNS kept as it was: only drained members are in it, and removing them would leave no address"
        case .changesLimited(let leaving, let limit):
            return "\(leaving) member(s) should leave DNS, max_changes lets \(limit) go in one evaluation"
        }
    }
}
