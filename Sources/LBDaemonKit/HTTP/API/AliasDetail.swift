import Foundation
import LBCore

/// What `GET /api/v1/aliases/{alias}` answers: the current decision member by member, the policy
/// applied, and what DNS shows in each place. Uses `lbd simulate --json`'s words (`state`,
/// `reason`, `detail`, `error`), so that both read alike.
public struct AliasDetail: Hashable, Sendable, Codable {
    public var alias: String
    public var partition: String
    public var status: AliasStatus
    public var parameters: Parameters
    /// When the decision was made; absent before the first evaluation (and so is everything
    /// below that comes from it).
    public var evaluatedAt: Date?
    /// `updated`, `unchanged`, `keep`, `failed`, `partly-failed`, `standby`...
    public var action: String?
    /// The rule that gave the addresses (`best_n`, `all_usable`, `random`, `empty`, `keep`).
    public var policy: AppliedPolicy?
    /// The addresses decided, sorted; absent when DNS is kept as it is (and before the first
    /// evaluation).
    public var publish: [String]?
    public var usableMembers: Int
    public var warnings: [String]
    /// Every member, in configuration order.
    public var members: [MemberDetail]
    /// One entry per place the alias is published in.
    public var dns: [DNSPlaceState]

    /// The alias's parameters, as the configuration gives them.
    public struct Parameters: Hashable, Sendable, Codable {
        /// -1: every usable member.
        public var bestHosts: Int
        public var whenNoneUsable: String
        /// golbd's name of `when_none_usable` (`minimum`, `cmsfrontier`, `minino`).
        public var metric: String
        /// The TTL published, in seconds.
        public var ttl: Int
        /// Seconds between evaluations.
        public var pollingInterval: Int
        public var external: Bool

        init(_ parameters: AliasParameters) {
            bestHosts = parameters.bestHosts.golbdValue
            whenNoneUsable = parameters.whenNoneUsable.rawValue
            metric = parameters.whenNoneUsable.golbdMetric
            ttl = parameters.effectiveTTL
            pollingInterval = parameters.pollingInterval
            external = parameters.external
        }
    }

    public init(
        _ alias: AliasConfiguration, evaluation: AliasEvaluation?, publishedRecords: [String: [String]]
    ) {
        self.alias = alias.name
        partition = alias.partition
        status = AliasStatus(evaluation)
        parameters = Parameters(alias.parameters)
        evaluatedAt = evaluation?.finishedAt
        action = evaluation?.action
        let decision = evaluation?.decision
        policy = decision.map(AppliedPolicy.init)
        publish = decision?.publish?.map(\.description)
        usableMembers = decision?.usableCount ?? 0
        warnings = decision?.warnings.map(\.description) ?? []
        members =
            decision.map { decision in
                decision.members.map { MemberDetail($0, bestHosts: decision.parameters.bestHosts) }
            } ?? []
        dns = DNSPlaceState.places(records: publishedRecords, results: evaluation?.results ?? [])
    }
}
