import Foundation

/// Everything lbd's HTTP server reads to answer the API, `/metrics` and the dashboards, given as
/// functions so that `lbd run`, `lbd demo` and the tests each wire their own. Read-only: nothing
/// here changes what lbd does.
public struct DaemonStatusSources: Sendable {
    /// The latest evaluation of every alias evaluated so far, by alias name.
    public var evaluations: @Sendable () async -> [String: AliasEvaluation]
    /// The configuration in force (the last one loaded).
    public var configuration: @Sendable () async -> Configuration
    /// What `/api/v1/instance` answers.
    public var instance: @Sendable () async -> InstanceStatus
    /// True once every served alias was evaluated once and the published state was loaded
    /// (`/readyz`).
    public var ready: @Sendable () async -> Bool
    /// The records an alias has in DNS now, per place (`internal view`, `embedded zone`...), as
    /// lbd last published or loaded them; empty when unknown.
    public var publishedRecords: @Sendable (String) async -> [String: [String]]
    /// The history; nil when it is off.
    public var history: (any HistoryStore)?
    /// Why the instance is not ready, for `/readyz`'s 503 (`3 alias(es) not evaluated yet`); nil
    /// when unknown.
    public var notReadyReason: @Sendable () async -> String?

    public init(
        evaluations: @escaping @Sendable () async -> [String: AliasEvaluation],
        configuration: @escaping @Sendable () async -> Configuration,
        instance: @escaping @Sendable () async -> InstanceStatus,
        ready: @escaping @Sendable () async -> Bool,
        publishedRecords: @escaping @Sendable (String) async -> [String: [String]] = { _ in [:] },
        history: (any HistoryStore)? = nil,
        notReadyReason: @escaping @Sendable () async -> String? = { nil }
    ) {
        self.notReadyReason = notReadyReason
        self.evaluations = evaluations
        self.configuration = configuration
        self.instance = instance
        self.ready = ready
        self.publishedRecords = publishedRecords
        self.history = history
    }
}
