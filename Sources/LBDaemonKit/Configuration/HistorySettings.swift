/// Where lbd keeps the history of its decisions (`history:` in the native format): the store
/// the dashboards and `/api/v1/aliases/{alias}/history` read.
///
/// Invariant: a value from the configuration loader is valid: `rawRetention <= retention`, both
/// positive, and `url` is set when `store` is `.postgresql`.
public struct HistorySettings: Hashable, Sendable {
    public enum Store: String, CaseIterable, Hashable, Sendable {
        /// A SQLite file in the state directory (the default).
        case sqlite
        /// A PostgreSQL database, which the two instances of an HA pair may share.
        case postgresql
        /// In memory only: lost at restart (demos, tests).
        case memory
        /// No history: the dashboards show the present only.
        case off
    }

    /// The default retention: 30 days.
    public static let defaultRetention: Double = 30 * 86_400
    /// The default raw window: 2 days.
    public static let defaultRawRetention: Double = 2 * 86_400
    /// The SQLite file's name in the state directory when `path` is not set.
    public static let defaultFileName = "history.sqlite"

    public var store: Store
    /// The SQLite file; nil: `history.sqlite` in the state directory.
    public var path: String?
    /// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE` (store `postgresql`); never shown.
    public var url: String?
    /// A file holding the PostgreSQL password, instead of putting it in the URL.
    public var passwordFile: String?
    /// Seconds of history kept; older samples, decisions and events are dropped.
    public var retention: Double
    /// Seconds during which every sample is kept as it was taken; older ones are rolled up into
    /// 5-minute buckets.
    public var rawRetention: Double

    public init(
        store: Store = .sqlite, path: String? = nil, url: String? = nil, passwordFile: String? = nil,
        retention: Double = HistorySettings.defaultRetention,
        rawRetention: Double = HistorySettings.defaultRawRetention
    ) {
        self.store = store
        self.path = path
        self.url = url
        self.passwordFile = passwordFile
        self.retention = retention
        self.rawRetention = rawRetention
    }

    /// The SQLite file for a state directory: `path`, else `history.sqlite` in it.
    public func sqlitePath(stateDirectory: String) -> String {
        if let path { return path }
        let directory = stateDirectory.hasSuffix("/") ? String(stateDirectory.dropLast()) : stateDirectory
        return "\(directory)/\(Self.defaultFileName)"
    }
}
