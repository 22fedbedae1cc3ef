import Foundation
import LBCore

/// A made-up fleet and its evaluations, for the history's scale test and `lbbench history`:
/// each node of each alias is chosen on a periodic pattern (in `on` blocks of `block`
/// evaluations out of every `period` blocks), so the share of time it was behind the alias is
/// known by construction. With the default block of 12 evaluations (an hour at 300 s) a node
/// enters or leaves an alias every few hours; with a block of 1, at nearly every
/// evaluation (a worst case for the decision rows).
///
/// Invariant: `block * period` divides the evaluations per alias for every period, so over
/// the whole run each share is exactly `on / period`.
public struct SyntheticHistory: Sendable {
    public struct Member: Sendable {
        public var node: String
        public var period: Int
        public var on: Int
        public var phase: Int
        /// The share of the run the node is behind the alias.
        public var share: Double { Double(on) / Double(period) }
    }

    public struct Alias: Sendable {
        public var name: String
        /// Seconds after each interval start at which this alias is evaluated.
        public var offset: Int64
        public var members: [Member]
    }

    public let aliases: [Alias]
    public let start: Date
    public let interval: Int64
    public let evaluations: Int
    public let block: Int

    private static let periods = [4, 5, 6, 8, 9, 10, 12, 15, 16, 18, 20, 24]

    /// - Parameters:
    ///   - aliasCount: 625 at CERN.
    ///   - memberships: 2,237 at CERN, spread as evenly as possible over the aliases.
    ///   - evaluations: per alias; a multiple of 720 × `block` keeps every share exact (30 days
    ///     at 300 s is 8,640 = 720 × 12).
    public init(
        aliasCount: Int, memberships: Int, start: Date, interval: Int64 = 300, evaluations: Int,
        block: Int = 12,
        seed: UInt64
    ) {
        var random = SeededRandomNumberGenerator(seed: seed)
        let nodePool = max(memberships * 2 / 3, 1)
        var aliases: [Alias] = []
        for index in 0..<aliasCount {
            let count = memberships / aliasCount + (index < memberships % aliasCount ? 1 : 0)
            var nodes: Set<Int> = []
            while nodes.count < min(count, nodePool) { nodes.insert(Int(random.next() % UInt64(nodePool))) }
            let members = nodes.sorted().map { node -> Member in
                let period = Self.periods[Int(random.next() % UInt64(Self.periods.count))]
                return Member(
                    node: "node\(node).example.org", period: period,
                    on: 1 + Int(random.next() % UInt64(period - 1)),
                    phase: Int(random.next() % UInt64(period)))
            }
            aliases.append(
                Alias(
                    name: "alias\(index).lb.example.org", offset: Int64(random.next() % UInt64(interval)),
                    members: members))
        }
        self.aliases = aliases
        self.start = start
        self.interval = interval
        self.evaluations = evaluations
        self.block = max(1, block)
    }

    /// The time of evaluation `step` of `alias`.
    public func time(_ alias: Alias, step: Int) -> Date {
        start.addingTimeInterval(Double(alias.offset + Int64(step) * interval))
    }

    /// The window covering every evaluation of `alias`: from its first to one interval after
    /// its last.
    public func window(_ alias: Alias) -> (from: Date, to: Date) {
        (time(alias, step: 0), time(alias, step: evaluations))
    }

    /// The record of `alias`'s evaluation `step`: chosen members report a load of 10 to 99,
    /// the others a higher one, or (one in five) no answer.
    public func record(_ alias: Alias, step: Int) -> EvaluationRecord {
        var random = SeededRandomNumberGenerator(seed: UInt64(step) &* 0x9E37_79B9 &+ UInt64(alias.offset))
        let members = alias.members.map { member -> MemberRecord in
            let chosen = (step / block + member.phase) % member.period < member.on
            if chosen {
                return MemberRecord(
                    node: member.node, load: 10 + Int(random.next() % 90), failure: nil, chosen: true,
                    reason: "one of the least loaded")
            }
            if random.next() % 5 == 0 {
                return MemberRecord(
                    node: member.node, load: nil, failure: "no_answer", chosen: false, reason: "no answer")
            }
            return MemberRecord(
                node: member.node, load: 100 + Int(random.next() % 900), failure: nil, chosen: false,
                reason: "more loaded than the chosen ones")
        }
        let published = members.filter(\.chosen).map(\.node).sorted()
        return EvaluationRecord(
            alias: alias.name, at: time(alias, step: step), policy: .bestN, published: published,
            action: "unchanged", members: members)
    }

    /// Every alias's record of `step`.
    public func records(step: Int) -> [EvaluationRecord] {
        aliases.map { record($0, step: step) }
    }
}
