import Foundation

/// What `GET /api/v1/instance` answers and `lbd status` prints: which lbd this is, what it serves
/// and whether it publishes.
///
/// It holds no secret (no TSIG key, SNMP password or lease URL): only names, counts, times and a
/// digest of the configuration file, so that two instances can be compared without reading it.
public struct InstanceStatus: Hashable, Sendable, Codable {
    /// The product version (`ProductVersion.current`).
    public var version: String
    /// This instance's name (`--instance-name`, else the host name).
    public var instance: String
    /// The partition served; nil serves every alias.
    public var partition: String?
    /// Whether this instance publishes, and why.
    public var leadership: LeadershipStatus
    /// The configuration file `lbd run` was started with.
    public var configPath: String
    /// SHA-256 of the configuration file's bytes, in lowercase hex.
    public var configDigest: String
    /// How many aliases this instance polls and publishes.
    public var aliasCount: Int
    /// The last evaluation round finished; nil before the first.
    public var lastRound: RoundSummary?
    /// When this `lbd run` started (wall clock).
    public var startedAt: Date
    /// The engine's recent batches in figures; absent before the first (and from an lbd older
    /// than the field).
    public var cycles: CycleStatistics?

    public init(
        version: String, instance: String, partition: String?, leadership: LeadershipStatus,
        configPath: String, configDigest: String, aliasCount: Int, lastRound: RoundSummary?,
        startedAt: Date, cycles: CycleStatistics? = nil
    ) {
        self.cycles = cycles
        self.version = version
        self.instance = instance
        self.partition = partition
        self.leadership = leadership
        self.configPath = configPath
        self.configDigest = configDigest
        self.aliasCount = aliasCount
        self.lastRound = lastRound
        self.startedAt = startedAt
    }

    /// One evaluation round, in figures.
    public struct RoundSummary: Hashable, Sendable, Codable {
        public var finishedAt: Date
        public var aliasesEvaluated: Int
        /// Aliases whose decision was published (or was already in place).
        public var published: Int
        /// Aliases whose evaluation or publication failed.
        public var failed: Int

        public init(finishedAt: Date, aliasesEvaluated: Int, published: Int, failed: Int) {
            self.finishedAt = finishedAt
            self.aliasesEvaluated = aliasesEvaluated
            self.published = published
            self.failed = failed
        }
    }

    /// The encoder of the API: snake_case keys (`config_digest`, `fencing_token`), ISO-8601 dates,
    /// sorted keys so that two answers compare line by line.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return encoder
    }

    /// The decoder matching `makeEncoder()`.
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

extension InstanceStatus.RoundSummary {
    /// The latest evaluations in figures; nil before the first.
    init?(_ evaluations: some Collection<AliasEvaluation>) {
        guard let last = evaluations.map(\.finishedAt).max() else { return nil }
        let failed = evaluations.filter { $0.action == "failed" || $0.action == "partly-failed" }.count
        let published = evaluations.filter { ["updated", "unchanged"].contains($0.action) }.count
        self.init(finishedAt: last, aliasesEvaluated: evaluations.count, published: published, failed: failed)
    }
}
