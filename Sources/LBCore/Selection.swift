/// The choice of the addresses an alias publishes: pure, so every rule is testable without a
/// network, with the tie-break randomness injected.
///
/// 1. Each member is evaluated for the alias (`MemberEvaluation`): usable when 1 <= load <= 99 999.
///    A drained member is not usable; with `rise`/`fall`, a member's up/down state changes only
///    after that many polls in a row (`MemberHealth`).
/// 2. Below `min_usable` usable members, the alias fails open (every resolved member) or keeps DNS.
/// 3. Usable members are ranked by load; equal loads put the members already published first,
///    then the others in random order (golbd re-drew every tie, which changed DNS on every
///    evaluation when loads were equal).
/// 4. The first `bestHosts` of them (all with `.allUsable`) are chosen; with `stickiness`, a
///    published member gives way only to one lower by more than that share; with `max_changes`,
///    at most that many published members leave in one evaluation. The chosen members' usable
///    addresses are published, de-duplicated and sorted.
/// 5. When no member is usable, the alias's `NoUsableNodePolicy` decides: `random` publishes every
///    resolved address of `bestHosts` members picked at random (those published already first),
///    `empty` publishes nothing, `keep` leaves DNS unchanged; `max_changes` still bounds how many
///    published members leave.
public enum Selection {
    /// Decides what `alias` publishes given the reports of its members, in configuration order,
    /// and updates `memory` for the next evaluation.
    ///
    /// - Parameters:
    ///   - memory: what the previous decisions left; empty for the first one.
    ///   - drains: the drains in force for this alias by member name (`Drain.covers`).
    ///   - polled: the members whose report is new; the others keep their `rise`/`fall` streak.
    ///     Nil when every report is new.
    public static func decide<R: RandomNumberGenerator>(
        alias: String,
        parameters: AliasParameters,
        members: [NodeReport],
        memory: inout SelectionMemory,
        drains: [String: Drain] = [:],
        polled: Set<String>? = nil,
        using random: inout R
    ) -> Decision {
        var round = Round(
            alias: alias, parameters: parameters, members: members, memory: memory, drains: drains,
            polled: polled)
        let decision = round.decide(using: &random)
        // The names are the previous memory's when the members did not change: no new array.
        let names =
            memory.members.count == members.count && zip(memory.members, members).allSatisfy { $0 == $1.node }
            ? memory.members : members.map(\.node)
        memory = SelectionMemory(
            published: decision.publish.map(Set.init) ?? memory.published, members: names,
            streaks: round.streaks)
        return decision
    }

    /// Decides what `alias` publishes from the reports alone, with nothing remembered: the first
    /// evaluation, `lbd simulate`.
    public static func decide<R: RandomNumberGenerator>(
        alias: String,
        parameters: AliasParameters,
        members: [NodeReport],
        drains: [String: Drain] = [:],
        using random: inout R
    ) -> Decision {
        var memory = SelectionMemory()
        return decide(
            alias: alias, parameters: parameters, members: members, memory: &memory, drains: drains,
            using: &random)
    }
}

/// One evaluation of one alias, step by step.
private struct Round {
    let alias: String
    let parameters: AliasParameters
    let previous: SelectionMemory
    /// Each member's streak after this decision, by member position.
    var streaks: [MemberHealth] = []
    /// Every member, in configuration order, with its evaluation; `rankedLoad` is set from the
    /// start for each member that competes on load.
    var decisions: [MemberDecision]
    var warnings: [SelectionWarning] = []

    init(
        alias: String, parameters: AliasParameters, members: [NodeReport], memory: SelectionMemory,
        drains: [String: Drain], polled: Set<String>?
    ) {
        self.alias = alias
        self.parameters = parameters
        self.previous = memory
        decisions = members.map {
            MemberDecision(
                evaluation: MemberEvaluation(report: $0, alias: alias), reason: .unusable, rank: nil,
                published: [])
        }
        streaks.reserveCapacity(decisions.count)
        for index in decisions.indices {
            let evaluation = decisions[index].evaluation
            let node = evaluation.node
            let usableLoad: Int? = if case .usable(let load) = evaluation.state { load } else { nil }
            let before = memory.streak(of: node, at: index)
            let state: MemberHealth
            if let polled, !polled.contains(node), let before {
                state = before
            } else {
                state = MemberHealth.after(
                    before, usableLoad: usableLoad, rise: parameters.rise, fall: parameters.fall)
            }
            streaks.append(state)
            if !drains.isEmpty, let drain = drains[node] {
                decisions[index].reason = .drained
                decisions[index].notes.append(.drained(drain))
                continue
            }
            switch (state.isUp, usableLoad) {
            case (true, let load?):
                decisions[index].rankedLoad = load
            case (true, nil):
                // Up but failing: it stays in the ranking with its last usable load, and is
                // published with every address it resolved to (none answered usably).
                if let last = state.lastUsableLoad, !evaluation.addresses.isEmpty {
                    decisions[index].rankedLoad = last
                    decisions[index].notes.append(
                        .failing(failedPolls: state.streak, fall: parameters.fall, lastLoad: last))
                }
            case (false, .some):
                decisions[index].notes.append(.rising(passedPolls: state.streak, rise: parameters.rise))
            case (false, nil):
                break
            }
        }
    }

    /// The addresses a chosen member contributes: those that answered usably, or every resolved
    /// one for a member that is up but failing.
    func addresses(of index: Int) -> [NodeAddress] {
        let usable = decisions[index].evaluation.usableAddresses
        return usable.isEmpty ? decisions[index].evaluation.addresses.map(\.address) : usable
    }

    /// Whether the member's addresses are in DNS now.
    func isPublished(_ index: Int) -> Bool {
        guard let published = previous.published else { return false }
        return decisions[index].evaluation.addresses.contains { published.contains($0.address) }
    }

    /// The load a member competes with; only for members that are ranked.
    func rankedLoad(_ index: Int) -> Int { decisions[index].rankedLoad! }

    mutating func decide<R: RandomNumberGenerator>(using random: inout R) -> Decision {
        if case .count(let requested) = parameters.bestHosts, requested > decisions.count {
            warnings.append(.bestHostsExceedsMembers(requested: requested, members: decisions.count))
        }
        let ranking = rank(using: &random)
        for (position, index) in ranking.enumerated() {
            decisions[index].rank = position + 1
            decisions[index].reason = .rankedOut
        }
        if let floor = parameters.minUsable {
            let minimum = floor.required(members: decisions.count)
            if ranking.count < minimum, let decision = belowMinimum(usable: ranking.count, minimum: minimum) {
                return decision
            }
        }
        if ranking.isEmpty { return withoutUsableMember(using: &random) }

        let wanted: Int
        switch parameters.bestHosts {
        case .allUsable:
            wanted = ranking.count
        case .count(let requested):
            if ranking.count < min(requested, decisions.count) {
                warnings.append(.fewerUsableThanRequested(usable: ranking.count, requested: requested))
            }
            wanted = min(requested, ranking.count)
        }
        var chosen = choose(wanted, from: ranking)
        limitChanges(&chosen, ranking: ranking)
        for index in chosen where decisions[index].reason == .rankedOut {
            decisions[index].reason = .chosen
        }
        for index in chosen { decisions[index].published = addresses(of: index) }
        return finished(publish: NodeAddress.canonicalSet(decisions.flatMap(\.published)), policy: nil)
    }

    /// Positions of the usable members, least loaded first; among equal loads, the published
    /// ones first, then the others at random.
    func rank<R: RandomNumberGenerator>(using random: inout R) -> [Int] {
        var usable: [Int] = []
        usable.reserveCapacity(decisions.count)
        for index in decisions.indices where decisions[index].rankedLoad != nil { usable.append(index) }
        random.shuffle(&usable)
        var entries = usable.enumerated().map { draw, index in
            (index: index, load: rankedLoad(index), fresh: isPublished(index) ? 0 : 1, draw: draw)
        }
        entries.sort { ($0.load, $0.fresh, $0.draw) < ($1.load, $1.fresh, $1.draw) }
        for (position, entry) in entries.enumerated() { usable[position] = entry.index }
        return usable
    }

    /// The first `wanted` of `ranking`, except that with `stickiness` a published member keeps
    /// its place against a better one that is not lower by more than the share.
    mutating func choose(_ wanted: Int, from ranking: [Int]) -> [Int] {
        guard let percent = parameters.stickiness, previous.published != nil else {
            return Array(ranking.prefix(wanted))
        }
        let incumbents = ranking.filter(isPublished)
        let challengers = ranking.filter { !isPublished($0) }
        var kept = Array(incumbents.prefix(wanted))
        var entering = Array(challengers.prefix(wanted - kept.count))
        var waiting = challengers.dropFirst(entering.count)
        // The worst kept incumbent gives way to the best waiting challenger only when the
        // challenger is lower by more than `percent`.
        while let worst = kept.last, let best = waiting.first {
            if rankedLoad(best) * 100 < rankedLoad(worst) * (100 - percent) {
                kept.removeLast()
                entering.append(best)
                waiting.removeFirst()
            } else {
                // Every kept member above the best one waiting owes its place to stickiness,
                // not only the worst.
                for index in kept where rankedLoad(best) < rankedLoad(index) {
                    decisions[index].notes.append(.keptByStickiness(percent: percent))
                }
                for index in waiting where rankedLoad(index) < rankedLoad(worst) {
                    decisions[index].notes.append(.heldOutByStickiness(percent: percent))
                }
                break
            }
        }
        let chosen = Set(kept + entering)
        return ranking.filter(chosen.contains)
    }

    /// Keeps published members that should leave when more than `max_changes` of them would, and
    /// holds back as many newcomers, worst first.
    mutating func limitChanges(_ chosen: inout [Int], ranking: [Int]) {
        guard let limit = parameters.maxChanges, previous.published != nil else { return }
        let chosenSet = Set(chosen)
        // A drained member leaves whatever the limit: the operator asked for it.
        let leaving = decisions.indices.filter {
            isPublished($0) && !chosenSet.contains($0) && decisions[$0].reason != .drained
        }
        guard leaving.count > limit else { return }
        warnings.append(.changesLimited(leaving: leaving.count, limit: limit))
        // The ones kept: usable first in rank order, then the others in configuration order.
        let position = Dictionary(uniqueKeysWithValues: ranking.enumerated().map { ($1, $0) })
        let keep = leaving.filter { !decisions[$0].evaluation.addresses.isEmpty }
            .sorted { (position[$0] ?? .max, $0) < (position[$1] ?? .max, $1) }
            .prefix(leaving.count - limit)
        for index in keep {
            decisions[index].reason = .keptByMaxChanges
            decisions[index].notes.append(.keptByMaxChanges(limit: limit))
        }
        let newcomers = chosen.filter { !isPublished($0) }
        for index in newcomers.reversed().prefix(keep.count) {
            decisions[index].notes.append(.heldBackByMaxChanges(limit: limit))
            chosen.removeAll { $0 == index }
        }
        chosen += keep
    }

    /// Fewer usable members than `min_usable`: nil when failing open finds nothing to publish,
    /// so that the no-usable-member policy decides.
    mutating func belowMinimum(usable: Int, minimum: Int) -> Decision? {
        let policy = parameters.belowMinimum
        switch policy {
        case .keep:
            warnings.append(.belowMinimumUsable(usable: usable, minimum: minimum, policy: .keep))
            // Computed first: it may add a warning, and `finished` reads the warnings.
            let kept = keptWithoutDrained()
            return finished(publish: kept, policy: nil, floor: .keep)
        case .failOpen:
            let open = decisions.indices.filter {
                decisions[$0].reason != .drained && !decisions[$0].evaluation.addresses.isEmpty
            }
            guard !open.isEmpty else { return nil }
            warnings.append(.belowMinimumUsable(usable: usable, minimum: minimum, policy: .failOpen))
            for index in open {
                decisions[index].reason = .failedOpen
                decisions[index].notes.append(.failedOpen(usable: usable, minimum: minimum))
                decisions[index].published = decisions[index].evaluation.addresses.map(\.address)
            }
            return finished(
                publish: NodeAddress.canonicalSet(decisions.flatMap(\.published)), policy: nil,
                floor: .failOpen)
        }
    }

    /// What a `keep` policy publishes: nil (DNS unchanged), except that the addresses of drained
    /// members leave, as the operator asked, unless nothing would be left.
    mutating func keptWithoutDrained() -> [NodeAddress]? {
        guard let published = previous.published else { return nil }
        let drained = Set(
            decisions.indices.filter { decisions[$0].reason == .drained }
                .flatMap { decisions[$0].evaluation.addresses.map(\.address) })
        guard !published.isDisjoint(with: drained) else { return nil }
        let left = published.subtracting(drained)
        guard !left.isEmpty else {
            warnings.append(.drainedMembersKept)
            return nil
        }
        return NodeAddress.canonicalSet(Array(left))
    }

    mutating func withoutUsableMember<R: RandomNumberGenerator>(using random: inout R) -> Decision {
        let policy = parameters.whenNoneUsable
        warnings.append(.noUsableMembers(policy))
        var chosen: [Int]
        switch policy {
        case .keep:
            let kept = keptWithoutDrained()
            return finished(publish: kept, policy: policy)
        case .empty:
            chosen = []
        case .random:
            // Only members with an address can be published; golbd could pick unresolved ones
            // and publish fewer hosts than asked. A drained member is never picked.
            let candidates = decisions.indices.filter {
                !decisions[$0].evaluation.addresses.isEmpty && decisions[$0].reason != .drained
            }
            if candidates.isEmpty { warnings.append(.nothingToPickAtRandom) }
            let wanted: Int
            switch parameters.bestHosts {
            case .allUsable: wanted = candidates.count
            case .count(let requested): wanted = min(requested, candidates.count)
            }
            // Every candidate is as good as another: the published ones are picked first, so
            // that DNS does not change on every evaluation while nothing is usable (golbd
            // re-drew them each time); the others at random.
            let shuffled = random.shuffled(candidates)
            chosen = Array(
                (shuffled.filter(isPublished) + shuffled.filter { !isPublished($0) }).prefix(wanted))
            for index in chosen { decisions[index].reason = .pickedAtRandom }
        }
        // `max_changes` holds for these policies too: a bad deployment reporting -1 everywhere
        // must not empty an alias in one evaluation.
        limitChanges(&chosen, ranking: [])
        for index in chosen {
            decisions[index].published = decisions[index].evaluation.addresses.map(\.address)
        }
        for index in decisions.indices
        where decisions[index].reason == .pickedAtRandom && !chosen.contains(index) {
            decisions[index].reason = .unusable
        }
        return finished(publish: NodeAddress.canonicalSet(decisions.flatMap(\.published)), policy: policy)
    }

    func finished(publish: [NodeAddress]?, policy: NoUsableNodePolicy?, floor: BelowMinimumPolicy? = nil)
        -> Decision
    {
        Decision(
            alias: alias, parameters: parameters, members: decisions, publish: publish, appliedPolicy: policy,
            warnings: warnings, appliedFloor: floor)
    }
}
