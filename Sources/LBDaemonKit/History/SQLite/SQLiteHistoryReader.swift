import Foundation
import GRDB

/// Answers the history's questions from the SQLite tables, in the shape `AliasHistoryBuilder`
/// gives: memberships clipped to the window (open ones with no end), loads by node then time,
/// decisions oldest first.
struct SQLiteHistoryReader {
    let db: Database

    func aliasHistory(_ alias: String, from: Date, to: Date) throws -> AliasHistory {
        var history = AliasHistory(
            alias: alias, from: from, to: to, memberships: [], loads: [], decisions: [])
        guard
            let aliasID = try Int64.fetchOne(
                db, sql: "SELECT id FROM name WHERE kind = ? AND text = ?",
                arguments: [SQLiteHistorySchema.Kind.alias.rawValue, alias])
        else { return history }
        // A whole second t is in from..<to when ceil(from) <= t < ceil(to).
        let low = from.historySecondsUp
        let high = to.historySecondsUp
        history.memberships = try memberships(aliasID, from: from, to: to, high: high)
        history.loads = try loads(aliasID, low: low, high: high)
        history.decisions = try decisions(aliasID, low: low, high: high)
        return history
    }

    private func memberships(_ alias: Int64, from: Date, to: Date, high: Int64) throws -> [MembershipInterval]
    {
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT n.text, m.start, m.stop FROM membership m JOIN name n ON n.id = m.node_id
                WHERE m.alias_id = ? AND m.start < ? AND (m.stop IS NULL OR m.stop >= ?)
                """, arguments: [alias, high, from.historySeconds])
        var result: [MembershipInterval] = []
        while let row = try rows.next() {
            let start = Date(timeIntervalSince1970: Double(row[1] as Int64))
            let stop = (row[2] as Int64?).map { Date(timeIntervalSince1970: Double($0)) }
            guard start < to, (stop ?? to) > from else { continue }
            // Closed at or after `to` is still open as far as the window knows.
            let end = stop.flatMap { $0 < to ? $0 : nil }
            result.append(MembershipInterval(node: row[0], from: max(start, from), to: end))
        }
        return result.sorted { ($0.node, $0.from) < ($1.node, $1.from) }
    }

    private func loads(_ alias: Int64, low: Int64, high: Int64) throws -> [LoadSample] {
        var failures: [Int64: String] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT id, text FROM name WHERE kind = ?",
            arguments: [SQLiteHistorySchema.Kind.failure.rawValue])
        {
            failures[row[0]] = row[1]
        }
        let members = try Row.fetchAll(
            db,
            sql: "SELECT m.id, n.text FROM member m JOIN name n ON n.id = m.node_id WHERE m.alias_id = ?",
            arguments: [alias]
        ).map { (id: $0[0] as Int64, node: $0[1] as String) }.sorted { $0.node < $1.node }
        let statement = try db.cachedStatement(
            sql:
                "SELECT t, n, loaded, total, lo, hi, failure_id FROM sample WHERE member_id = ? AND t >= ? AND t < ?"
        )
        var result: [LoadSample] = []
        for member in members {
            let rows = try Row.fetchCursor(statement, arguments: [member.id, low, high])
            while let row = try rows.next() {
                let stored = StoredLoad(
                    time: row[0], count: (row[1] as Int?) ?? 1, loaded: (row[2] as Int?) ?? 0, total: row[3],
                    minimum: row[4], maximum: row[5], failure: (row[6] as Int64?).flatMap { failures[$0] })
                result.append(stored.sample(node: member.node))
            }
        }
        return result
    }

    private func decisions(_ alias: Int64, low: Int64, high: Int64) throws -> [DecisionChange] {
        let rows = try Row.fetchCursor(
            db, sql: "SELECT t, body FROM decision WHERE alias_id = ? AND t >= ? AND t < ? ORDER BY t, id",
            arguments: [alias, low, high])
        var result: [DecisionChange] = []
        while let row = try rows.next() {
            let at = Date(timeIntervalSince1970: Double(row[0] as Int64))
            result.append(try StoredHistoryCodec.decodeDecision(row[1], at: at))
        }
        return result
    }

    func serviceHistory(from: Date, to: Date) throws -> ServiceHistory {
        let low = from.historySecondsUp
        let high = to.historySecondsUp
        var cycles: [CycleRecord] = []
        let cycleRows = try Row.fetchCursor(
            db, sql: "SELECT t, body FROM cycle WHERE t >= ? AND t < ? ORDER BY t, id",
            arguments: [low, high])
        while let row = try cycleRows.next() {
            cycles.append(
                try StoredHistoryCodec.decodeCycle(
                    row[1], at: Date(timeIntervalSince1970: Double(row[0] as Int64))))
        }
        var events: [ServiceEvent] = []
        let eventRows = try Row.fetchCursor(
            db, sql: "SELECT t, kind, instance, detail FROM event WHERE t >= ? AND t < ? ORDER BY t, id",
            arguments: [low, high])
        while let row = try eventRows.next() {
            events.append(
                ServiceEvent(
                    at: Date(timeIntervalSince1970: Double(row[0] as Int64)), kind: row[1], instance: row[2],
                    detail: row[3]))
        }
        return ServiceHistory(from: from, to: to, cycles: cycles, events: events)
    }
}
