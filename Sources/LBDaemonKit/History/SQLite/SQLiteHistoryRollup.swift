import Foundation
import GRDB

/// The 5-minute roll-up of the SQLite history: for each member, the buckets of the range that
/// hold several samples become one row (`LoadRollup`); cycles the same way.
struct SQLiteHistoryRollup {
    let db: Database

    func rollUpSamples(members: ArraySlice<Int64>, from: Int64, to: Int64) throws {
        var failureNames: [Int64: String] = [:]
        var failureIDs: [String: Int64] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT id, text FROM name WHERE kind = ?",
            arguments: [SQLiteHistorySchema.Kind.failure.rawValue])
        {
            failureNames[row[0]] = row[1]
            failureIDs[row[1]] = row[0]
        }
        let select = try db.cachedStatement(
            sql:
                "SELECT t, n, loaded, total, lo, hi, failure_id FROM sample WHERE member_id = ? AND t >= ? AND t < ?"
        )
        let delete = try db.cachedStatement(sql: "DELETE FROM sample WHERE member_id = ? AND t = ?")
        let insert = try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO sample (member_id, t, n, loaded, total, lo, hi, failure_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for member in members {
            var rows: [StoredLoad] = []
            let cursor = try Row.fetchCursor(select, arguments: [member, from, to])
            while let row = try cursor.next() {
                rows.append(
                    StoredLoad(
                        time: row[0], count: (row[1] as Int?) ?? 1, loaded: (row[2] as Int?) ?? 0,
                        total: row[3],
                        minimum: row[4], maximum: row[5],
                        failure: (row[6] as Int64?).flatMap { failureNames[$0] }))
            }
            for (replaced, merged) in LoadRollup.plan(rows) {
                for row in replaced { try delete.execute(arguments: [member, row.time]) }
                try insert.execute(arguments: [
                    member, merged.time, merged.count, merged.loaded, merged.total, merged.minimum,
                    merged.maximum,
                    merged.failure.flatMap { failureIDs[$0] },
                ])
            }
        }
    }

    func rollUpCycles(from: Int64, to: Int64) throws {
        var groups: [Int64: [(id: Int64, count: Int, cycle: CycleRecord)]] = [:]
        let rows = try Row.fetchCursor(
            db, sql: "SELECT id, t, n, body FROM cycle WHERE t >= ? AND t < ?", arguments: [from, to])
        while let row = try rows.next() {
            let time: Int64 = row[1]
            let cycle = try StoredHistoryCodec.decodeCycle(
                row[3], at: Date(timeIntervalSince1970: Double(time)))
            groups[LoadRollup.bucketStart(time), default: []].append((row[0], (row[2] as Int?) ?? 1, cycle))
        }
        for (start, group) in groups where group.count > 1 {
            let merged = LoadRollup.merge(group.map(\.cycle), at: Date(timeIntervalSince1970: Double(start)))
            for entry in group {
                try db.execute(sql: "DELETE FROM cycle WHERE id = ?", arguments: [entry.id])
            }
            try db.execute(
                sql: "INSERT INTO cycle (t, n, body) VALUES (?, ?, ?)",
                arguments: [start, group.reduce(0) { $0 + $1.count }, StoredHistoryCodec.encode(merged)])
        }
    }
}
