import Foundation
import LBCore

extension AliasDetail {
    /// The evaluation this answer shows, made again so that `lbd explain` renders a running
    /// lbd's decision with `DecisionTable`, as it renders a stored one; nil before the alias's
    /// first evaluation. A failure is known here by its sentence only: it reads back as that
    /// sentence (a timeout as a timeout), which renders alike.
    func evaluation() throws(DecisionRecordError) -> AliasEvaluation? {
        guard let evaluatedAt else { return nil }
        guard let bestHosts = BestHosts(golbdValue: parameters.bestHosts),
            let whenNoneUsable = NoUsableNodePolicy(rawValue: parameters.whenNoneUsable)
        else {
            throw DecisionRecordError(
                "best_hosts \(parameters.bestHosts) or when_none_usable '\(parameters.whenNoneUsable.prefix(40))' is not valid"
            )
        }
        let aliasParameters = AliasParameters(
            bestHosts: bestHosts, whenNoneUsable: whenNoneUsable, pollingInterval: parameters.pollingInterval,
            ttl: parameters.ttl, external: parameters.external)
        var members: [MemberDecision] = []
        for member in self.members { members.append(try Self.decision(member, alias: alias)) }
        let applied: NoUsableNodePolicy? =
            switch policy {
            case .random?: .random
            case .empty?: .empty
            case .keep?: .keep
            default: nil
            }
        let decision = Decision(
            alias: alias, parameters: aliasParameters, members: members,
            publish: try publish.map { texts throws(DecisionRecordError) in
                try DecisionRecord.addresses(texts)
            },
            appliedPolicy: applied, warnings: warnings.compactMap(Self.warning))
        var results: [PublicationResult] = []
        for place in dns {
            guard let lastAction = place.lastAction else { continue }
            let failure = PublishingFailure(
                place.errorCode.flatMap(PublishingFailure.Code.init(rawValue:)) ?? .other,
                place.error ?? lastAction)
            let action = PublicationResult.Action(code: lastAction, failure: failure) ?? .failed(failure)
            results.append(
                PublicationResult(
                    target: place.target,
                    previous: try place.previous.map { texts throws(DecisionRecordError) in
                        try DecisionRecord.addresses(texts)
                    }, action: action))
        }
        return AliasEvaluation(
            decision: decision, results: results, finishedAt: evaluatedAt, standby: action == "standby")
    }

    private static func decision(_ member: MemberDetail, alias: String) throws(DecisionRecordError)
        -> MemberDecision
    {
        let reason = DecisionMemberRecord.reason(code: member.reason) ?? .unusable
        var reports: [AddressReport] = []
        for answer in member.addresses {
            guard let address = NodeAddress(answer.address) else {
                throw DecisionRecordError(
                    "member \(member.node.prefix(60)): '\(answer.address.prefix(60))' is not an address")
            }
            let reply: AddressReply
            switch answer.outcome {
            case "load": reply = .integer(answer.load ?? 0)
            case "not_listed": reply = .text("")
            default: reply = .failure(failure(code: answer.error, detail: answer.detail))
            }
            reports.append(AddressReport(address: address, reply: reply))
        }
        var resolutionFailure: String?
        if reports.isEmpty, member.detail.hasPrefix("no address: ") {
            resolutionFailure = String(member.detail.dropFirst("no address: ".count))
        }
        return MemberDecision(
            evaluation: MemberEvaluation(
                report: NodeReport(
                    node: member.node, addresses: reports, resolutionFailure: resolutionFailure),
                alias: alias),
            reason: reason, rank: member.rank, published: try DecisionRecord.addresses(member.published),
            // A drained or failed-open member's detail is its notes (`DecisionExplanation.detail`):
            // kept, so that `lbd explain` says who drained it and why.
            notes: reason == .drained || reason == .failedOpen ? [.recorded(member.detail)] : [])
    }

    /// The failure of code `code` that renders as `detail` (`DecisionExplanation.outcomeDetail`'s
    /// words). The API gives the code but not the values a case carries: a case without values
    /// comes back whole from its code, a timeout with the attempts its sentence counts, any
    /// other as its sentence (`.reported`), which renders alike.
    static func failure(code: String?, detail: String) -> PollFailure {
        guard let code else { return reported(detail) }
        let digits = detail.drop { !$0.isNumber }.prefix { $0.isNumber }
        let candidate = DecisionFailureRecord(code: code, attempts: Int(digits) ?? 0, index: Int(digits))
            .failure
        if let candidate, DecisionExplanation.outcomeDetail(.failure(candidate)) == detail {
            return candidate
        }
        return reported(detail)
    }

    private static func reported(_ detail: String) -> PollFailure {
        .reported(detail.hasPrefix("error: ") ? String(detail.dropFirst("error: ".count)) : detail)
    }

    /// The warning whose sentence is `text`; nil for a sentence this lbd does not write.
    static func warning(_ text: String) -> SelectionWarning? {
        let numbers = text.split { !$0.isNumber }.compactMap { Int($0) }
        let candidates: [SelectionWarning] =
            [
                .noUsableMembers(.random), .noUsableMembers(.empty), .noUsableMembers(.keep),
                .nothingToPickAtRandom,
            ]
            + (numbers.count == 2
                ? [
                    .fewerUsableThanRequested(usable: numbers[0], requested: numbers[1]),
                    .bestHostsExceedsMembers(requested: numbers[0], members: numbers[1]),
                ] : [])
        return candidates.first { $0.description == text }
    }
}
