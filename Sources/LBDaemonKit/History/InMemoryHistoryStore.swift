import Foundation

/// A history kept in memory, bounded by `retention`: `lbd demo`, tests, and a site that turns
/// the on-disk history off but still wants the dashboards of the last hours.
///
/// It keeps raw records only (no roll-up), so a window is answered at full resolution.
public actor InMemoryHistoryStore: HistoryStore {
    private let retention: TimeInterval
    /// By alias, oldest first.
    private var evaluations: [String: [EvaluationRecord]] = [:]
    private var cycles: [CycleRecord] = []
    private var events: [ServiceEvent] = []

    /// - Parameter retention: what `maintain(now:)` keeps, 1 day by default.
    public init(retention: TimeInterval = 86_400) {
        self.retention = retention
    }

    public func record(_ records: [EvaluationRecord]) throws(HistoryError) {
        for record in records { evaluations[record.alias, default: []].append(record) }
    }

    public func record(cycle: CycleRecord) throws(HistoryError) {
        cycles.append(cycle)
    }

    public func record(event: ServiceEvent) throws(HistoryError) {
        events.append(event)
    }

    public func aliasHistory(_ alias: String, from: Date, to: Date) throws(HistoryError) -> AliasHistory {
        guard from <= to else { throw .invalidRequest("the window ends before it starts") }
        return AliasHistoryBuilder.build(alias: alias, from: from, to: to, records: evaluations[alias] ?? [])
    }

    public func serviceHistory(from: Date, to: Date) throws(HistoryError) -> ServiceHistory {
        guard from <= to else { throw .invalidRequest("the window ends before it starts") }
        return ServiceHistory(
            from: from, to: to, cycles: cycles.filter { $0.at >= from && $0.at < to },
            events: events.filter { $0.at >= from && $0.at < to })
    }

    public func maintain(now: Date) throws(HistoryError) {
        let oldest = now.addingTimeInterval(-retention)
        for alias in evaluations.keys {
            // The last record before the cut is kept: it says who was behind the alias at `oldest`.
            let records = evaluations[alias] ?? []
            let firstKept = records.lastIndex { $0.at < oldest } ?? 0
            evaluations[alias] = Array(records[firstKept...])
        }
        cycles.removeAll { $0.at < oldest }
        events.removeAll { $0.at < oldest }
    }
}
