import Foundation
import LBCore

/// What the history keeps of one evaluation of one alias: the policy, the addresses published,
/// and every member's load or failure, whether it was chosen and why.
public struct EvaluationRecord: Hashable, Sendable, Codable {
    public var alias: String
    /// When the evaluation finished.
    public var at: Date
    public var policy: AppliedPolicy
    /// The addresses published, sorted; nil when DNS was left as it was (`keep`).
    public var published: [String]?
    /// `AliasEvaluation.action`: updated, unchanged, failed, standby...
    public var action: String
    public var members: [MemberRecord]

    public init(
        alias: String, at: Date, policy: AppliedPolicy, published: [String]?, action: String,
        members: [MemberRecord]
    ) {
        self.alias = alias
        self.at = at
        self.policy = policy
        self.published = published
        self.action = action
        self.members = members
    }

    /// The record of `evaluation`.
    public init(_ evaluation: AliasEvaluation) {
        let decision = evaluation.decision
        self.init(
            alias: decision.alias, at: evaluation.finishedAt, policy: AppliedPolicy(decision),
            published: decision.publish.map { $0.map(\.description).sorted() }, action: evaluation.action,
            members: decision.members.map { MemberRecord($0, bestHosts: decision.parameters.bestHosts) })
    }

    /// How many members were usable.
    public var usableCount: Int { members.count { $0.failure == nil } }
}

/// One member in an `EvaluationRecord`.
public struct MemberRecord: Hashable, Sendable, Codable {
    public var node: String
    /// The load the node reported (usable or not); nil when it gave none.
    public var load: Int?
    /// Why the member was unusable, as a stable code (`no_answer`, `unusable_load`, `error`,
    /// `not_listed`, `unresolved`, or a `PollFailure.code` such as `wrong_digest`); nil when usable.
    public var failure: String?
    /// Whether its addresses were published.
    public var chosen: Bool
    /// One sentence for an operator: why it is or is not behind the alias.
    public var reason: String

    public init(node: String, load: Int?, failure: String?, chosen: Bool, reason: String) {
        self.node = node
        self.load = load
        self.failure = failure
        self.chosen = chosen
        self.reason = reason
    }

    init(_ member: MemberDecision, bestHosts: BestHosts) {
        let state = member.evaluation.state
        let failure: String? =
            switch state {
            case .usable: nil
            case .failed(let pollFailure): pollFailure.isSilence ? "no_answer" : pollFailure.code
            default: DecisionExplanation.stateCode(state)
            }
        self.init(
            node: member.node, load: member.evaluation.load, failure: failure, chosen: member.isChosen,
            reason: DecisionExplanation.detail(member, bestHosts: bestHosts))
    }
}
