import Foundation
import GRDB
import Synchronization

/// The history in a SQLite file (`history.sqlite` in the state directory by default), through
/// GRDB, in WAL mode so that the API and the dashboards read while the recorder writes.
///
/// Samples are kept raw for `rawRetention`, then rolled up into 5-minute buckets by
/// `maintain(now:)`, and dropped after `retention`. Times are kept in whole seconds. It answers
/// as `AliasHistoryBuilder` would from the same records (times to the second).
///
/// Invariant: the writer's cache of ids and of each alias's open memberships only holds what a
/// committed transaction wrote; a failed write empties it, and it is read back from the file.
public final class SQLiteHistoryStore: HistoryStore {
    public let path: String
    public let retention: TimeInterval
    public let rawRetention: TimeInterval
    private let pool: DatabasePool
    private let cache = Mutex(SQLiteHistoryCache())

    /// Opens `path`, creating the file and its tables when missing.
    ///
    /// - Parameters:
    ///   - retention: what `maintain(now:)` keeps, 30 days by default.
    ///   - rawRetention: how long samples stay raw before being rolled up, 2 days by default.
    ///   - maximumPageCount: a size limit in 4 KiB pages (tests use it to fill the "disk").
    /// - Throws: `.unavailable` when the file cannot be opened or created, is not lbd's
    ///   history, or was written by a newer lbd.
    public init(
        path: String, retention: TimeInterval = HistorySettings.defaultRetention,
        rawRetention: TimeInterval = HistorySettings.defaultRawRetention, maximumPageCount: Int? = nil
    ) throws(HistoryError) {
        self.path = path
        self.retention = retention
        self.rawRetention = min(rawRetention, retention)
        var configuration = GRDB.Configuration()
        configuration.busyMode = .timeout(5)
        configuration.label = "lbd history"
        configuration.prepareDatabase { db in
            // WAL with NORMAL sync: a power cut may lose the last transactions, never the file.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            if let maximumPageCount { try db.execute(sql: "PRAGMA max_page_count = \(maximumPageCount)") }
        }
        do {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
                throw HistoryError.unavailable("\(path): the directory \(directory) does not exist")
            }
            pool = try DatabasePool(path: path, configuration: configuration)
            try pool.barrierWriteWithoutTransaction { db in try SQLiteHistorySchema.prepare(db, path: path) }
        } catch {
            throw Self.describe(error, path: path, operation: "open", opening: true)
        }
    }

    /// Closes the file; later calls fail.
    public func close() throws(HistoryError) {
        do { try pool.close() } catch { throw Self.describe(error, path: path, operation: "close") }
    }

    /// Bytes on disk: the file and its write-ahead log.
    public func sizeOnDisk() -> Int64 {
        [path, path + "-wal", path + "-shm"].reduce(0) { sum, file in
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?
                .int64Value
            return sum + (size ?? 0)
        }
    }

    // MARK: - Writing

    public func record(_ evaluations: [EvaluationRecord]) async throws(HistoryError) {
        guard !evaluations.isEmpty else { return }
        // Oldest first, so that memberships open and close in order; equal times keep their order.
        let ordered = evaluations.enumerated().sorted {
            ($0.element.at, $0.offset) < ($1.element.at, $1.offset)
        }
        .map(\.element)
        try await write("record evaluations") { db, cache in
            var writer = SQLiteHistoryWriter(db: db, cache: cache)
            for record in ordered { try writer.insert(record) }
            cache = writer.cache
        }
    }

    public func record(cycle: CycleRecord) async throws(HistoryError) {
        try await write("record a cycle") { db, _ in
            try db.execute(
                sql: "INSERT INTO cycle (t, n, body) VALUES (?, NULL, ?)",
                arguments: [cycle.at.historySeconds, StoredHistoryCodec.encode(cycle)])
        }
    }

    public func record(event: ServiceEvent) async throws(HistoryError) {
        try await write("record an event") { db, _ in
            try db.execute(
                sql: "INSERT INTO event (t, kind, instance, detail) VALUES (?, ?, ?, ?)",
                arguments: [event.at.historySeconds, event.kind, event.instance, event.detail])
        }
    }

    // MARK: - Reading

    public func aliasHistory(_ alias: String, from: Date, to: Date) async throws(HistoryError) -> AliasHistory
    {
        guard from <= to else { throw .invalidRequest("the window ends before it starts") }
        return try await read("read the history of \(alias)") { db in
            try SQLiteHistoryReader(db: db).aliasHistory(alias, from: from, to: to)
        }
    }

    public func serviceHistory(from: Date, to: Date) async throws(HistoryError) -> ServiceHistory {
        guard from <= to else { throw .invalidRequest("the window ends before it starts") }
        return try await read("read the service history") { db in
            try SQLiteHistoryReader(db: db).serviceHistory(from: from, to: to)
        }
    }

    // MARK: - Retention and roll-up

    public func maintain(now: Date) async throws(HistoryError) {
        let keepFrom = now.addingTimeInterval(-retention).historySeconds
        let rawCut = LoadRollup.bucketStart(now.addingTimeInterval(-rawRetention).historySeconds)
        try await write("drop old history") { db, _ in
            try db.execute(
                sql: "DELETE FROM membership WHERE stop IS NOT NULL AND stop <= ?", arguments: [keepFrom])
            for table in ["decision", "cycle", "event"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE t < ?", arguments: [keepFrom])
            }
        }
        let members = try await read("list members") { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM member")
        }
        // Short transactions, so that readers and the recorder are never held for long.
        for chunk in stride(from: 0, to: members.count, by: 200).map({
            members[$0..<min($0 + 200, members.count)]
        }) {
            try await write("drop old samples") { db, _ in
                let statement = try db.cachedStatement(
                    sql: "DELETE FROM sample WHERE member_id = ? AND t < ?")
                for member in chunk { try statement.execute(arguments: [member, keepFrom]) }
            }
        }
        let rolledUntil = try await read("read the roll-up mark") { db in
            try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'rolled_until'")
        }
        let rollFrom = max(rolledUntil ?? keepFrom, keepFrom)
        guard rawCut > rollFrom else { return }
        for chunk in stride(from: 0, to: members.count, by: 100).map({
            members[$0..<min($0 + 100, members.count)]
        }) {
            try await write("roll up samples") { db, _ in
                try SQLiteHistoryRollup(db: db).rollUpSamples(members: chunk, from: rollFrom, to: rawCut)
            }
        }
        try await write("roll up cycles") { db, _ in
            try SQLiteHistoryRollup(db: db).rollUpCycles(from: rollFrom, to: rawCut)
            try db.execute(
                sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('rolled_until', ?)",
                arguments: [rawCut])
        }
        // Give the log's space back after the big transactions; a busy reader only delays it.
        _ = try? await pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
    }

    // MARK: - Access

    private func write(
        _ operation: String, _ body: @escaping @Sendable (Database, inout SQLiteHistoryCache) throws -> Void
    ) async throws(HistoryError) {
        do {
            try await pool.write { db in
                // The pool runs one write at a time, so the lock is never contended.
                try self.cache.withLock { cached in try body(db, &cached) }
            }
        } catch {
            self.cache.withLock { $0 = SQLiteHistoryCache() }
            throw Self.describe(error, path: path, operation: operation)
        }
    }

    private func read<T: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws(HistoryError) -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw Self.describe(error, path: path, operation: operation)
        }
    }

    static func describe(_ error: any Error, path: String, operation: String, opening: Bool = false)
        -> HistoryError
    {
        if let error = error as? HistoryError { return error }
        guard let error = error as? DatabaseError else {
            return opening
                ? .unavailable("\(path): \(error)") : .failed("\(path): \(operation): \(error)")
        }
        let reason: String =
            switch error.resultCode {
            case .SQLITE_FULL: "the disk is full, or the file reached its size limit"
            case .SQLITE_READONLY: "the file or its directory is read-only"
            case .SQLITE_CANTOPEN: "cannot open or create the file (check the directory and permissions)"
            case .SQLITE_NOTADB: "the file is not a SQLite database: move it away to start a new history"
            case .SQLITE_CORRUPT: "the file is damaged: move it away to start a new history"
            case .SQLITE_BUSY, .SQLITE_LOCKED: "the file is locked by another program"
            case .SQLITE_IOERR: "an I/O error (disk failing or full)"
            default: error.message ?? "\(error.resultCode)"
            }
        let text = "\(path): \(operation): \(reason) (SQLite: \(error.message ?? "\(error.resultCode)"))"
        return opening || error.resultCode == .SQLITE_NOTADB ? .unavailable(text) : .failed(text)
    }
}
