import LBCore

/// One member of a `DecisionRecord`: `DecisionJSON`'s member fields, each address with what it
/// answered, and why a name did not resolve.
struct DecisionMemberRecord: Codable, Hashable, Sendable {
    var node: String
    var state: String
    var load: Int?
    var reason: String
    var rank: Int?
    var detail: String
    var published: [String]
    var addresses: [DecisionAddressRecord]
    var resolutionFailure: String?
    /// What drains, `rise`/`fall`, stickiness, `max_changes` and `min_usable` did (absent from
    /// files written before they existed).
    var notes: [String]?

    enum CodingKeys: String, CodingKey {
        case node, state, load, reason, rank, detail, published, addresses, notes
        case resolutionFailure = "resolution_failure"
    }

    init(_ member: MemberDecision, bestHosts: BestHosts) {
        node = member.node
        state = DecisionExplanation.stateCode(member.evaluation.state)
        load = member.evaluation.load
        reason = DecisionExplanation.reasonCode(member.reason)
        rank = member.rank
        detail = DecisionExplanation.detail(member, bestHosts: bestHosts)
        published = member.published.map(\.description)
        addresses = member.evaluation.addresses.map(DecisionAddressRecord.init)
        if case .unresolved(let why) = member.evaluation.state { resolutionFailure = why }
        notes = member.notes.isEmpty ? nil : member.notes.map(\.description)
    }

    func decision(alias: String) throws(DecisionRecordError) -> MemberDecision {
        guard let reason = Self.reason(code: self.reason) else {
            throw DecisionRecordError(
                "member \(node.prefix(60)): reason '\(self.reason.prefix(40))' is unknown")
        }
        var reports: [AddressReport] = []
        for address in addresses { reports.append(try address.report(node: node)) }
        // The evaluation is made again from what each address answered: the same rule as the
        // engine's, so the state and load read back are the ones decided on.
        let evaluation = MemberEvaluation(
            report: NodeReport(node: node, addresses: reports, resolutionFailure: resolutionFailure),
            alias: alias)
        return MemberDecision(
            evaluation: evaluation, reason: reason, rank: rank,
            published: try DecisionRecord.addresses(published),
            notes: (notes ?? []).map { .recorded($0) })
    }

    /// The reason `DecisionExplanation.reasonCode` gives `code`; nil for a code it never gives.
    static func reason(code: String) -> MemberDecision.Reason? {
        let reasons: [MemberDecision.Reason] = [
            .chosen, .rankedOut, .pickedAtRandom, .unusable, .drained, .failedOpen, .keptByMaxChanges,
        ]
        return reasons.first { DecisionExplanation.reasonCode($0) == code }
    }
}
