import Foundation
import GRDB

/// Writes evaluation records into the SQLite history inside one transaction: a sample per
/// member, memberships opened and closed, a decision row when the choice or the policy changed.
struct SQLiteHistoryWriter {
    let db: Database
    var cache: SQLiteHistoryCache

    mutating func insert(_ record: EvaluationRecord) throws {
        let alias = try id(.alias, record.alias)
        var state = try aliasState(alias)
        let time = record.at.historySeconds
        let sample = try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO sample (member_id, t, total, failure_id) VALUES (?, ?, ?, ?)")
        for member in record.members {
            let node = try id(.node, member.node)
            let failure = try member.failure.map { try id(.failure, $0) }
            try sample.execute(arguments: [
                try memberID(alias: alias, node: node), time, member.load, failure,
            ])
        }
        try updateMemberships(record, alias: alias, time: time, state: &state)
        let chosen = Set(record.members.filter(\.chosen).map(\.node))
        if let change = AliasHistoryBuilder.change(after: state.previous, to: record) {
            try db.cachedStatement(sql: "INSERT INTO decision (alias_id, t, body) VALUES (?, ?, ?)")
                .execute(arguments: [alias, time, StoredHistoryCodec.encode(change)])
        }
        if state.previous?.chosen != chosen || state.previous?.policy != record.policy {
            try db.cachedStatement(
                sql: "INSERT OR REPLACE INTO alias_state (alias_id, policy, chosen) VALUES (?, ?, ?)"
            ).execute(arguments: [alias, record.policy.rawValue, StoredHistoryCodec.encode(nodes: chosen)])
        }
        state.previous = (chosen, record.policy)
        cache.aliases[alias] = state
    }

    /// As `AliasHistoryBuilder`: a `keep` leaves the members behind the alias as they were.
    private mutating func updateMemberships(
        _ record: EvaluationRecord, alias: Int64, time: Int64, state: inout SQLiteHistoryCache.AliasState
    ) throws {
        let chosen: Set<String> =
            record.published == nil ? Set(state.open.keys) : Set(record.members.filter(\.chosen).map(\.node))
        for node in chosen.sorted() where state.open[node] == nil {
            let nodeID = try id(.node, node)
            try db.cachedStatement(
                sql:
                    "INSERT OR REPLACE INTO membership (alias_id, start, node_id, stop) VALUES (?, ?, ?, NULL)"
            ).execute(arguments: [alias, time, nodeID])
            state.open[node] = (nodeID, time)
        }
        for (node, open) in state.open where !chosen.contains(node) {
            try db.cachedStatement(
                sql: "UPDATE membership SET stop = ? WHERE alias_id = ? AND start = ? AND node_id = ?"
            ).execute(arguments: [time, alias, open.start, open.node])
            state.open[node] = nil
        }
    }

    private mutating func aliasState(_ alias: Int64) throws -> SQLiteHistoryCache.AliasState {
        if let state = cache.aliases[alias] { return state }
        var state = SQLiteHistoryCache.AliasState()
        let open = try Row.fetchAll(
            db,
            sql: """
                SELECT n.text, m.node_id, m.start FROM membership m JOIN name n ON n.id = m.node_id
                WHERE m.alias_id = ? AND m.stop IS NULL
                """, arguments: [alias])
        for row in open { state.open[row[0]] = (row[1], row[2]) }
        if let row = try Row.fetchOne(
            db, sql: "SELECT policy, chosen FROM alias_state WHERE alias_id = ?", arguments: [alias])
        {
            let policyText: String = row[0]
            let chosenBytes: Data = row[1]
            guard let policy = AppliedPolicy(rawValue: policyText) else {
                throw HistoryError.failed(
                    "a stored alias state names an unknown policy: the store is damaged")
            }
            state.previous = (try StoredHistoryCodec.decodeNodes(chosenBytes), policy)
        }
        return state
    }

    private mutating func id(_ kind: SQLiteHistorySchema.Kind, _ text: String) throws -> Int64 {
        if let id = cache.names[kind]?[text] { return id }
        let id: Int64
        if let found = try Int64.fetchOne(
            db, sql: "SELECT id FROM name WHERE kind = ? AND text = ?", arguments: [kind.rawValue, text])
        {
            id = found
        } else {
            try db.execute(
                sql: "INSERT INTO name (kind, text) VALUES (?, ?)", arguments: [kind.rawValue, text])
            id = db.lastInsertedRowID
        }
        cache.names[kind, default: [:]][text] = id
        return id
    }

    private mutating func memberID(alias: Int64, node: Int64) throws -> Int64 {
        if let id = cache.members[alias]?[node] { return id }
        let id: Int64
        if let found = try Int64.fetchOne(
            db, sql: "SELECT id FROM member WHERE alias_id = ? AND node_id = ?", arguments: [alias, node])
        {
            id = found
        } else {
            try db.execute(
                sql: "INSERT INTO member (alias_id, node_id) VALUES (?, ?)", arguments: [alias, node])
            id = db.lastInsertedRowID
        }
        cache.members[alias, default: [:]][node] = id
        return id
    }
}
