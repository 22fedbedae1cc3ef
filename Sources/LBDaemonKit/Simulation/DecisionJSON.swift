import Foundation
import LBCore

/// Decisions as JSON: `{"aliases": {ALIAS: {"publish": [...] or null, ...}}}`, with stable
/// snake_case field names (the JSON API uses the same shape).
public enum DecisionJSON {
    /// With `publications`, each alias also gets `"dns": [{"target", "previous", "previous_ttl",
    /// "action", "error"}]`: what the publishers did, or would do.
    public static func render(
        _ decisions: [Decision], seed: UInt64?, publications: [String: [PublicationResult]]? = nil
    ) -> String {
        let document = Document(
            aliases: Dictionary(
                uniqueKeysWithValues: decisions.map { decision in
                    var entry = AliasEntry(decision)
                    entry.dns = publications.map { ($0[decision.alias] ?? []).map(PublicationEntry.init) }
                    return (decision.alias, entry)
                }),
            seed: seed)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(document)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Several rounds in a row (`lbd simulate` with `rounds`): `{"rounds": [{"aliases": ...}...],
    /// "aliases": ...}`, `aliases` being the last round's, so that a reader of one round's
    /// output finds the final answer where it always is.
    public static func render(rounds: [[Decision]], seed: UInt64?) -> String {
        func aliases(_ decisions: [Decision]) -> [String: AliasEntry] {
            Dictionary(uniqueKeysWithValues: decisions.map { ($0.alias, AliasEntry($0)) })
        }
        let document = Document(
            aliases: aliases(rounds.last ?? []), seed: seed,
            rounds: rounds.map { RoundEntry(aliases: aliases($0)) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(document)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    private struct Document: Encodable {
        var aliases: [String: AliasEntry]
        var seed: UInt64?
        var rounds: [RoundEntry]? = nil
    }

    private struct RoundEntry: Encodable {
        var aliases: [String: AliasEntry]
    }

    private struct AliasEntry: Encodable {
        var publish: [String]?
        var action: String
        var bestHosts: Int
        var whenNoneUsable: String
        var metric: String
        var ttl: Int
        var external: Bool
        var usable: Int
        var policyApplied: String?
        /// `min_usable`'s policy when too few members were usable.
        var floorApplied: String?
        var warnings: [String]
        var members: [MemberEntry]
        var dns: [PublicationEntry]?
        /// The options beyond golbd's, only those the alias sets.
        var stickiness: String?
        var rise: Int?
        var fall: Int?
        var minUsable: String?
        var belowMinUsable: String?
        var maxChanges: Int?

        init(_ decision: Decision) {
            let parameters = decision.parameters
            publish = decision.publish?.map(\.description)
            action = decision.publish == nil ? "keep" : "publish"
            bestHosts = parameters.bestHosts.golbdValue
            whenNoneUsable = parameters.whenNoneUsable.rawValue
            metric = parameters.whenNoneUsable.golbdMetric
            ttl = parameters.effectiveTTL
            external = parameters.external
            usable = decision.usableCount
            policyApplied = decision.appliedPolicy?.rawValue
            floorApplied = decision.appliedFloor?.rawValue
            warnings = decision.warnings.map(\.description)
            members = decision.members.map { MemberEntry($0, bestHosts: parameters.bestHosts) }
            stickiness = parameters.stickiness.map { "\($0)%" }
            rise = parameters.rise == 1 ? nil : parameters.rise
            fall = parameters.fall == 1 ? nil : parameters.fall
            minUsable = parameters.minUsable?.description
            belowMinUsable = parameters.minUsable == nil ? nil : parameters.belowMinimum.rawValue
            maxChanges = parameters.maxChanges
        }

        enum CodingKeys: String, CodingKey {
            case publish, action, ttl, external, usable, warnings, members, metric, dns, stickiness, rise,
                fall
            case bestHosts = "best_hosts"
            case whenNoneUsable = "when_none_usable"
            case policyApplied = "policy_applied"
            case floorApplied = "floor_applied"
            case minUsable = "min_usable"
            case belowMinUsable = "below_min_usable"
            case maxChanges = "max_changes"
        }

        // `publish` and `policy_applied` are written as null rather than left out: null is meaningful.
        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(publish, forKey: .publish)
            try container.encode(action, forKey: .action)
            try container.encode(bestHosts, forKey: .bestHosts)
            try container.encode(whenNoneUsable, forKey: .whenNoneUsable)
            try container.encode(metric, forKey: .metric)
            try container.encode(ttl, forKey: .ttl)
            try container.encode(external, forKey: .external)
            try container.encode(usable, forKey: .usable)
            try container.encode(policyApplied, forKey: .policyApplied)
            try container.encode(warnings, forKey: .warnings)
            try container.encode(members, forKey: .members)
            try container.encodeIfPresent(dns, forKey: .dns)
            try container.encodeIfPresent(floorApplied, forKey: .floorApplied)
            try container.encodeIfPresent(stickiness, forKey: .stickiness)
            try container.encodeIfPresent(rise, forKey: .rise)
            try container.encodeIfPresent(fall, forKey: .fall)
            try container.encodeIfPresent(minUsable, forKey: .minUsable)
            try container.encodeIfPresent(belowMinUsable, forKey: .belowMinUsable)
            try container.encodeIfPresent(maxChanges, forKey: .maxChanges)
        }
    }

    private struct PublicationEntry: Encodable {
        var target: String
        var previous: [String]?
        var previousTTL: Int?
        var action: String
        var error: String?
        var errorCode: String?

        init(_ result: PublicationResult) {
            target = result.target
            previous = result.previous?.map(\.description)
            previousTTL = result.previousTTL
            action = result.action.code
            if case .failed(let failure) = result.action {
                error = failure.message
                errorCode = failure.code.rawValue
            }
        }

        enum CodingKeys: String, CodingKey {
            case target, previous, action, error
            case previousTTL = "previous_ttl"
            case errorCode = "error_code"
        }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(target, forKey: .target)
            try container.encode(previous, forKey: .previous)
            try container.encode(previousTTL, forKey: .previousTTL)
            try container.encode(action, forKey: .action)
            try container.encodeIfPresent(error, forKey: .error)
            try container.encodeIfPresent(errorCode, forKey: .errorCode)
        }
    }

    private struct MemberEntry: Encodable {
        var node: String
        var state: String
        var load: Int?
        var reason: String
        var rank: Int?
        var detail: String
        /// The `PollFailure.code` of a member that failed, for programs to switch on.
        var error: String?
        var published: [String]
        var addresses: [AddressEntry]
        /// What drains, `rise`/`fall`, stickiness, `max_changes` and `min_usable` did; left out
        /// when nothing.
        var notes: [String]?

        init(_ member: MemberDecision, bestHosts: BestHosts) {
            node = member.node
            state = DecisionExplanation.stateCode(member.evaluation.state)
            error = member.evaluation.state.failure?.code
            load = member.evaluation.load
            reason = DecisionExplanation.reasonCode(member.reason)
            rank = member.rank
            detail = DecisionExplanation.detail(member, bestHosts: bestHosts)
            published = member.published.map(\.description)
            addresses = member.evaluation.addresses.map(AddressEntry.init)
            notes = member.notes.isEmpty ? nil : member.notes.map(\.description)
        }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(node, forKey: .node)
            try container.encode(state, forKey: .state)
            try container.encode(load, forKey: .load)
            try container.encode(reason, forKey: .reason)
            try container.encode(rank, forKey: .rank)
            try container.encode(detail, forKey: .detail)
            try container.encodeIfPresent(error, forKey: .error)
            try container.encode(published, forKey: .published)
            try container.encode(addresses, forKey: .addresses)
            try container.encodeIfPresent(notes, forKey: .notes)
        }

        enum CodingKeys: String, CodingKey {
            case node, state, load, reason, rank, detail, error, published, addresses, notes
        }
    }

    private struct AddressEntry: Encodable {
        var address: String
        var outcome: String
        /// The `PollFailure.code` when the address gave no load; left out otherwise.
        var error: String?

        init(_ evaluation: MemberEvaluation.AddressEvaluation) {
            address = evaluation.address.description
            outcome = DecisionExplanation.outcomeDetail(evaluation.outcome)
            if case .failure(let failure) = evaluation.outcome { error = failure.code }
        }
    }
}
