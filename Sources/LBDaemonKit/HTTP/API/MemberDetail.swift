import LBCore

/// One member of an alias in the current decision: what each address answered, the load or the
/// failure, the rank, and whether it is behind the alias and why.
public struct MemberDetail: Hashable, Sendable, Codable {
    public var node: String
    /// `usable`, `unusable_load`, `no_answer`, `error`, `not_listed`, `unresolved`.
    public var state: String
    /// The load ranking the node (usable or not); absent when it gave none.
    public var load: Int?
    /// The failure's stable code (`timeout`, `wrong_digest`, `no_such_object`...) when no
    /// address gave a load.
    public var error: String?
    /// Why it is, or is not, behind the alias: `chosen`, `ranked_out`, `picked_at_random`,
    /// `unusable`, `drained`, `failed_open`, `kept_by_max_changes`.
    public var reason: String
    /// One sentence on `reason`: the load, or the failure as a sentence.
    public var detail: String
    /// Its position among usable members, 1 the least loaded; absent when unusable.
    public var rank: Int?
    /// Whether its addresses are published.
    public var chosen: Bool
    /// The addresses it contributes to the published set.
    public var published: [String]
    /// Every resolved address, in resolver order.
    public var addresses: [AddressAnswer]

    /// What one address of a node said about the alias.
    public struct AddressAnswer: Hashable, Sendable, Codable {
        public var address: String
        /// `load`, `not_listed` or `failure`.
        public var outcome: String
        public var load: Int?
        /// The `PollFailure` code for a failure.
        public var error: String?
        /// One sentence: `load 12`, `alias not listed`, the failure.
        public var detail: String

        init(_ evaluation: MemberEvaluation.AddressEvaluation) {
            address = evaluation.address.description
            detail = DecisionExplanation.outcomeDetail(evaluation.outcome)
            switch evaluation.outcome {
            case .load(let value):
                outcome = "load"
                load = value
            case .notListed:
                outcome = "not_listed"
            case .failure(let failure):
                outcome = "failure"
                error = failure.code
            }
        }
    }

    init(_ member: MemberDecision, bestHosts: BestHosts) {
        node = member.node
        state = DecisionExplanation.stateCode(member.evaluation.state)
        load = member.evaluation.load
        error = member.evaluation.state.failure?.code
        reason = DecisionExplanation.reasonCode(member.reason)
        detail = DecisionExplanation.detail(member, bestHosts: bestHosts)
        rank = member.rank
        chosen = member.isChosen
        published = member.published.map(\.description)
        addresses = member.evaluation.addresses.map(AddressAnswer.init)
    }
}
