/// The choice of the addresses an alias publishes: pure, so every rule is testable without a
/// network, with the tie-break randomness injected.
///
/// 1. Each member is evaluated for the alias (`MemberEvaluation`): usable when 1 <= load <= 99 999.
/// 2. Usable members are shuffled, then stably sorted by load, so equal loads are ordered at random.
/// 3. The first `bestHosts` of them (all with `.allUsable`) are chosen; their usable addresses
///    are published, de-duplicated and sorted.
/// 4. When no member is usable, the alias's `NoUsableNodePolicy` decides: `random` publishes every
///    resolved address of `bestHosts` members picked at random, `empty` publishes nothing, `keep`
///    leaves DNS unchanged.
public enum Selection {
    /// Decides what `alias` publishes given the reports of its members, in configuration order.
    public static func decide<R: RandomNumberGenerator>(
        alias: String,
        parameters: AliasParameters,
        members: [NodeReport],
        using random: inout R
    ) -> Decision {
        let evaluations = members.map { MemberEvaluation(report: $0, alias: alias) }
        var warnings: [SelectionWarning] = []
        if case .count(let requested) = parameters.bestHosts, requested > evaluations.count {
            warnings.append(.bestHostsExceedsMembers(requested: requested, members: evaluations.count))
        }

        let ranking = rankUsable(evaluations, using: &random)
        if ranking.isEmpty {
            return decideWithoutUsableMember(
                alias: alias, parameters: parameters, evaluations: evaluations, warnings: warnings,
                using: &random)
        }

        let wanted: Int
        switch parameters.bestHosts {
        case .allUsable:
            wanted = ranking.count
        case .count(let requested):
            if ranking.count < min(requested, evaluations.count) {
                warnings.append(.fewerUsableThanRequested(usable: ranking.count, requested: requested))
            }
            wanted = min(requested, ranking.count)
        }

        var rankOf: [Int: Int] = [:]
        for (position, index) in ranking.enumerated() { rankOf[index] = position + 1 }
        let decisions = evaluations.enumerated().map { index, evaluation in
            guard let rank = rankOf[index] else {
                return MemberDecision(evaluation: evaluation, reason: .unusable, rank: nil, published: [])
            }
            let chosen = rank <= wanted
            return MemberDecision(
                evaluation: evaluation, reason: chosen ? .chosen : .rankedOut, rank: rank,
                published: chosen ? evaluation.usableAddresses : [])
        }
        return Decision(
            alias: alias, parameters: parameters, members: decisions,
            publish: NodeAddress.canonicalSet(decisions.flatMap(\.published)),
            appliedPolicy: nil, warnings: warnings)
    }

    /// Indices of the usable evaluations, least loaded first, ties in random order.
    static func rankUsable<R: RandomNumberGenerator>(
        _ evaluations: [MemberEvaluation], using random: inout R
    ) -> [Int] {
        let usable = evaluations.indices.filter { evaluations[$0].state.isUsable }
        let shuffled = random.shuffled(usable)
        // Sorting on (load, shuffled position) is a stable sort of the shuffled order.
        return shuffled.enumerated()
            .sorted { lhs, rhs in
                let (leftLoad, rightLoad) = (evaluations[lhs.element].load!, evaluations[rhs.element].load!)
                return leftLoad != rightLoad ? leftLoad < rightLoad : lhs.offset < rhs.offset
            }
            .map(\.element)
    }

    private static func decideWithoutUsableMember<R: RandomNumberGenerator>(
        alias: String,
        parameters: AliasParameters,
        evaluations: [MemberEvaluation],
        warnings: [SelectionWarning],
        using random: inout R
    ) -> Decision {
        let policy = parameters.whenNoneUsable
        var warnings = warnings + [.noUsableMembers(policy)]
        var decisions = evaluations.map {
            MemberDecision(evaluation: $0, reason: .unusable, rank: nil, published: [])
        }
        let publish: [NodeAddress]?
        switch policy {
        case .keep:
            publish = nil
        case .empty:
            publish = []
        case .random:
            // Only members with an address can be published; golbd could pick unresolved ones
            // and publish fewer hosts than asked.
            let candidates = evaluations.indices.filter { !evaluations[$0].addresses.isEmpty }
            if candidates.isEmpty { warnings.append(.nothingToPickAtRandom) }
            let wanted: Int
            switch parameters.bestHosts {
            case .allUsable: wanted = candidates.count
            case .count(let requested): wanted = min(requested, candidates.count)
            }
            for index in random.shuffled(candidates).prefix(wanted) {
                decisions[index].reason = .pickedAtRandom
                decisions[index].published = evaluations[index].addresses.map(\.address)
            }
            publish = NodeAddress.canonicalSet(decisions.flatMap(\.published))
        }
        return Decision(
            alias: alias, parameters: parameters, members: decisions, publish: publish,
            appliedPolicy: policy, warnings: warnings)
    }
}
