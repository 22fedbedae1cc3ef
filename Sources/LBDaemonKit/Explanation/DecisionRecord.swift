import Foundation
import LBCore

/// One alias's latest `AliasEvaluation` as `decisions.json` keeps it: the field names of
/// `DecisionJSON` (what `lbd simulate --json` prints) where they exist, plus what it leaves out
/// to read the evaluation back whole (failures and warnings with their values, the polling
/// interval, when and whether it was published), so that `lbd explain` renders a stored
/// decision with the same words as a live one.
struct DecisionRecord: Codable, Hashable, Sendable {
    var finishedAt: Date
    var standby: Bool
    /// `AliasEvaluation.action` and `.reason`, for people reading the file.
    var action: String
    var reason: String
    var publish: [String]?
    var bestHosts: Int
    var whenNoneUsable: String
    var metric: String
    /// The TTL published (`effectiveTTL`), as in `DecisionJSON`; `configuredTTL` is the one asked for.
    var ttl: Int
    var configuredTTL: Int
    var pollingInterval: Int
    var external: Bool
    var usable: Int
    var policyApplied: String?
    var warnings: [DecisionWarningRecord]
    var members: [DecisionMemberRecord]
    var dns: [DecisionPublicationRecord]

    enum CodingKeys: String, CodingKey {
        case standby, action, reason, publish, metric, ttl, external, usable, warnings, members, dns
        case finishedAt = "finished_at"
        case bestHosts = "best_hosts"
        case whenNoneUsable = "when_none_usable"
        case pollingInterval = "polling_interval"
        case configuredTTL = "configured_ttl"
        case policyApplied = "policy_applied"
    }

    init(_ evaluation: AliasEvaluation) {
        let decision = evaluation.decision
        let parameters = decision.parameters
        finishedAt = evaluation.finishedAt
        standby = evaluation.standby
        action = evaluation.action
        reason = evaluation.reason
        publish = decision.publish?.map(\.description)
        bestHosts = parameters.bestHosts.golbdValue
        whenNoneUsable = parameters.whenNoneUsable.rawValue
        metric = parameters.whenNoneUsable.golbdMetric
        ttl = parameters.effectiveTTL
        configuredTTL = parameters.ttl
        pollingInterval = parameters.pollingInterval
        external = parameters.external
        usable = decision.usableCount
        policyApplied = decision.appliedPolicy?.rawValue
        warnings = decision.warnings.map(DecisionWarningRecord.init)
        members = decision.members.map { DecisionMemberRecord($0, bestHosts: parameters.bestHosts) }
        dns = evaluation.results.map(DecisionPublicationRecord.init)
    }

    // `publish` and `policy_applied` are written as null rather than left out, as DecisionJSON
    // does: null is meaningful.
    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(finishedAt, forKey: .finishedAt)
        try container.encode(standby, forKey: .standby)
        try container.encode(action, forKey: .action)
        try container.encode(reason, forKey: .reason)
        try container.encode(publish, forKey: .publish)
        try container.encode(bestHosts, forKey: .bestHosts)
        try container.encode(whenNoneUsable, forKey: .whenNoneUsable)
        try container.encode(metric, forKey: .metric)
        try container.encode(ttl, forKey: .ttl)
        try container.encode(configuredTTL, forKey: .configuredTTL)
        try container.encode(pollingInterval, forKey: .pollingInterval)
        try container.encode(external, forKey: .external)
        try container.encode(usable, forKey: .usable)
        try container.encode(policyApplied, forKey: .policyApplied)
        try container.encode(warnings, forKey: .warnings)
        try container.encode(members, forKey: .members)
        try container.encode(dns, forKey: .dns)
    }

    /// The evaluation of `alias` this record keeps; throws a sentence naming the bad value.
    func evaluation(alias: String) throws(DecisionRecordError) -> AliasEvaluation {
        guard let bestHosts = BestHosts(golbdValue: bestHosts) else {
            throw DecisionRecordError("best_hosts \(bestHosts) is neither -1 nor a count of at least 1")
        }
        guard let policy = NoUsableNodePolicy(rawValue: whenNoneUsable) else {
            throw DecisionRecordError("when_none_usable '\(whenNoneUsable.prefix(40))' is not a policy")
        }
        let parameters = AliasParameters(
            bestHosts: bestHosts, whenNoneUsable: policy, pollingInterval: pollingInterval,
            ttl: configuredTTL,
            external: external)
        var applied: NoUsableNodePolicy?
        if let policyApplied {
            guard let policy = NoUsableNodePolicy(rawValue: policyApplied) else {
                throw DecisionRecordError("policy_applied '\(policyApplied.prefix(40))' is not a policy")
            }
            applied = policy
        }
        var decodedWarnings: [SelectionWarning] = []
        for warning in warnings {
            guard let decoded = warning.warning else {
                throw DecisionRecordError("warning '\(warning.code.prefix(40))' is not one this lbd knows")
            }
            decodedWarnings.append(decoded)
        }
        var decodedMembers: [MemberDecision] = []
        for member in members { decodedMembers.append(try member.decision(alias: alias)) }
        var decodedResults: [PublicationResult] = []
        for result in dns { decodedResults.append(try result.result()) }
        let decision = Decision(
            alias: alias, parameters: parameters, members: decodedMembers,
            publish: try publish.map { addresses throws(DecisionRecordError) in try Self.addresses(addresses)
            },
            appliedPolicy: applied, warnings: decodedWarnings)
        return AliasEvaluation(
            decision: decision, results: decodedResults, finishedAt: finishedAt, standby: standby)
    }

    static func addresses(_ texts: [String]) throws(DecisionRecordError) -> [NodeAddress] {
        var addresses: [NodeAddress] = []
        for text in texts {
            guard let address = NodeAddress(text) else {
                throw DecisionRecordError("'\(text.prefix(60))' is not an IPv4 or IPv6 address")
            }
            addresses.append(address)
        }
        return addresses
    }
}
