import Foundation
import LBCore

/// What `GET /api/v1/aliases` answers.
public struct AliasList: Hashable, Sendable, Codable {
    /// The aliases this instance serves, by name.
    public var aliases: [AliasSummary]

    public init(aliases: [AliasSummary]) {
        self.aliases = aliases
    }
}

/// One alias in `/api/v1/aliases`: where it stands now, in figures.
public struct AliasSummary: Hashable, Sendable, Codable {
    public var alias: String
    public var partition: String
    /// The addresses the last evaluation published; when it kept DNS as it was, those DNS shows
    /// (as lbd last published or loaded them); empty before the first evaluation.
    public var published: [String]
    public var usableMembers: Int
    public var totalMembers: Int
    /// `best_hosts` (-1: every usable member).
    public var bestHosts: Int
    /// When the last evaluation finished; absent before the first.
    public var lastEvaluation: Date?
    /// What the last evaluation did (`updated`, `unchanged`, `keep`, `failed`...); absent before
    /// the first.
    public var action: String?
    public var status: AliasStatus

    public init(
        _ alias: AliasConfiguration, evaluation: AliasEvaluation?, publishedRecords: [String: [String]]
    ) {
        self.alias = alias.name
        partition = alias.partition
        totalMembers = alias.members.count
        bestHosts = alias.parameters.bestHosts.golbdValue
        status = AliasStatus(evaluation)
        lastEvaluation = evaluation?.finishedAt
        action = evaluation?.action
        usableMembers = evaluation?.decision.usableCount ?? 0
        if let publish = evaluation?.decision.publish {
            published = publish.map(\.description)
        } else {
            published = Array(Set(publishedRecords.values.joined())).sorted()
        }
    }
}
