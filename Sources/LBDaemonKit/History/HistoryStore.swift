import Foundation

/// Where lbd keeps what it decided: SQLite in the state directory by default, PostgreSQL when
/// configured (shared by an HA pair), in memory for tests and `lbd demo`.
///
/// Writers are the history recorder only (it queues and never blocks the engine); readers are
/// the API and the dashboards. Every method may fail with a `HistoryError`; callers log it and go
/// on: a broken store never stops polling or publishing.
public protocol HistoryStore: Sendable {
    /// Appends the evaluations of one batch.
    func record(_ evaluations: [EvaluationRecord]) async throws(HistoryError)
    func record(cycle: CycleRecord) async throws(HistoryError)
    func record(event: ServiceEvent) async throws(HistoryError)
    /// `alias`'s memberships, loads and decision changes within `from..<to`.
    func aliasHistory(_ alias: String, from: Date, to: Date) async throws(HistoryError) -> AliasHistory
    /// The cycles and events within `from..<to`.
    func serviceHistory(from: Date, to: Date) async throws(HistoryError) -> ServiceHistory
    /// Rolls samples older than the raw window into 5-minute buckets and drops what is older
    /// than the retention, as of `now`.
    func maintain(now: Date) async throws(HistoryError)
}

/// Why the history could not be read or written; the message names the store.
public enum HistoryError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The store cannot be opened or created (path, permissions, URL, schema version).
    case unavailable(String)
    /// A read or a write failed (disk full, connection lost, constraint).
    case failed(String)
    /// The request asks for something the store cannot answer (a window with `to` before `from`).
    case invalidRequest(String)

    public var description: String {
        switch self {
        case .unavailable(let detail): "history store unavailable: \(detail)"
        case .failed(let detail): "history store: \(detail)"
        case .invalidRequest(let detail): "invalid history request: \(detail)"
        }
    }
}
