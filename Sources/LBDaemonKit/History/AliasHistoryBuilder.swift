import Foundation

/// Turns an alias's evaluation records into its history over a window: memberships from the
/// chosen members, one load sample per member per evaluation, and the evaluations that changed
/// the published set or the policy. Pure, so that every store answers the same way.
public enum AliasHistoryBuilder {
    /// - Parameter records: the alias's records, oldest first; the last one before `from` (if
    ///   any) says who was behind the alias when the window opens.
    public static func build(alias: String, from: Date, to: Date, records: [EvaluationRecord]) -> AliasHistory
    {
        var memberships: [MembershipInterval] = []
        var open: [String: Date] = [:]
        var loads: [LoadSample] = []
        var decisions: [DecisionChange] = []
        var previous: EvaluationRecord?
        for record in records where record.at < to {
            // `keep` leaves DNS as it was: the previous members stay behind the alias.
            let chosen: Set<String> =
                record.published == nil
                ? Set(open.keys) : Set(record.members.filter(\.chosen).map(\.node))
            for node in chosen where open[node] == nil { open[node] = record.at }
            for (node, since) in open where !chosen.contains(node) {
                memberships.append(MembershipInterval(node: node, from: since, to: record.at))
                open[node] = nil
            }
            if record.at >= from {
                for member in record.members {
                    loads.append(
                        LoadSample(
                            node: member.node, at: record.at, load: member.load.map(Double.init),
                            failure: member.failure))
                }
                if let change = change(from: previous, to: record) { decisions.append(change) }
            }
            previous = record
        }
        for (node, since) in open { memberships.append(MembershipInterval(node: node, from: since, to: nil)) }
        let clipped =
            memberships
            .filter { ($0.to ?? to) > from }
            .map {
                MembershipInterval(node: $0.node, from: max($0.from, from), to: $0.to.map { min($0, to) })
            }
            .sorted { ($0.node, $0.from) < ($1.node, $1.from) }
        return AliasHistory(
            alias: alias, from: from, to: to, memberships: clipped,
            loads: loads.sorted { ($0.node, $0.at) < ($1.node, $1.at) }, decisions: decisions)
    }

    /// `change(from:to:)` when what is kept of the previous evaluation is its chosen nodes and
    /// policy, as the stores keep it.
    static func change(
        after previous: (chosen: Set<String>, policy: AppliedPolicy)?, to record: EvaluationRecord
    ) -> DecisionChange? {
        let previous = previous.map { previous in
            EvaluationRecord(
                alias: record.alias, at: record.at, policy: previous.policy, published: [], action: "",
                members: previous.chosen.map {
                    MemberRecord(node: $0, load: nil, failure: nil, chosen: true, reason: "")
                })
        }
        return change(from: previous, to: record)
    }

    /// The change `record` made after `previous`; nil when it published the same set by the
    /// same policy.
    public static func change(from previous: EvaluationRecord?, to record: EvaluationRecord)
        -> DecisionChange?
    {
        let before = Set(previous?.members.filter(\.chosen).map(\.node) ?? [])
        let after = record.published == nil ? before : Set(record.members.filter(\.chosen).map(\.node))
        guard previous == nil || before != after || previous?.policy != record.policy else { return nil }
        let reasons = Dictionary(record.members.map { ($0.node, $0.reason) }, uniquingKeysWith: { a, _ in a })
        return DecisionChange(
            at: record.at, policy: record.policy, published: record.published,
            entered: after.subtracting(before).sorted().map { .init(node: $0, reason: reasons[$0] ?? "") },
            left: before.subtracting(after).sorted().map {
                .init(node: $0, reason: reasons[$0] ?? "no longer a member of the alias")
            },
            action: record.action)
    }
}
