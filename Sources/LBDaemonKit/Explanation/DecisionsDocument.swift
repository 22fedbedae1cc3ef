import Foundation

/// The content of `decisions.json` in the state directory: the latest evaluation of every
/// alias, by the instance that made them. `lbd explain` reads it when no lbd answers.
///
/// Versioned JSON: a reader refuses a `version` it does not know rather than guess.
struct DecisionsDocument: Codable, Hashable, Sendable {
    /// The format this lbd writes and reads.
    static let currentVersion = 1

    var version: Int
    /// The instance that evaluated (`--instance-name`, else the host name).
    var instance: String
    /// When the file was written.
    var writtenAt: Date
    /// By alias name.
    var aliases: [String: DecisionRecord]

    enum CodingKeys: String, CodingKey {
        case version, instance, aliases
        case writtenAt = "written_at"
    }

    init(instance: String, writtenAt: Date, aliases: [String: DecisionRecord]) {
        self.version = Self.currentVersion
        self.instance = instance
        self.writtenAt = writtenAt
        self.aliases = aliases
    }
}
