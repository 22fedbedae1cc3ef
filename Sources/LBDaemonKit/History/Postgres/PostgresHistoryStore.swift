import Foundation
import Logging
import PostgresNIO

/// The history in PostgreSQL, which the two instances of an HA pair may share: every row
/// carries the instance that wrote it, and readers see the rows of both.
///
/// It answers as `SQLiteHistoryStore` does, with one difference that sharing asks for: a
/// record whose action is `standby` (an instance that does not publish) adds load samples but
/// no membership, and closes the memberships that instance had open; so the memberships are
/// what the publishing instance published, whichever it was.
///
/// Like `LeaseStore` it keeps one connection of its own (a ``PostgresConnector``), opened on
/// first use and again after it broke, and bounds every operation by `timeout` (a late answer
/// closes the connection). One operation runs at a time, so that a transaction never
/// interleaves with another statement.
///
/// Invariant: an error never contains the password.
public actor PostgresHistoryStore: HistoryStore {
    public nonisolated let url: PostgresURL
    public nonisolated let instance: String
    public nonisolated let retention: TimeInterval
    public nonisolated let rawRetention: TimeInterval
    public nonisolated let timeout: Double
    private nonisolated let connector: PostgresConnector
    private nonisolated var logger: Logger { connector.logger }
    private var schemaReady = false
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    /// Each alias's open memberships (node → start) and last choice, as this instance wrote them.
    private var aliases: [String: AliasState] = [:]

    struct AliasState: Sendable {
        var open: [String: Int64] = [:]
        var previous: (chosen: Set<String>, policy: AppliedPolicy)?
    }

    public init(
        url: PostgresURL, passwordFile: String? = nil, instance: String,
        retention: TimeInterval = HistorySettings.defaultRetention,
        rawRetention: TimeInterval = HistorySettings.defaultRawRetention, timeout: Double = 5, logger: Logger
    ) throws(HistoryError) {
        self.url = url
        self.instance = instance
        self.retention = retention
        self.rawRetention = min(rawRetention, retention)
        connector = PostgresConnector(url: url, passwordFile: passwordFile, timeout: timeout, logger: logger)
        self.timeout = connector.timeout
        if passwordFile != nil {
            do { _ = try connector.password() } catch { throw describe(error, operation: "connect") }
        }
    }

    /// A store for `settings` (`history.url`, `history.password_file`).
    public init(settings: HistorySettings, instance: String, logger: Logger) throws(HistoryError) {
        guard let text = settings.url else { throw .unavailable("history.url is not set") }
        let url: PostgresURL
        do {
            url = try PostgresURL(parsing: text)
        } catch {
            throw .unavailable("history.url: \(error)")
        }
        try self.init(
            url: url, passwordFile: settings.passwordFile, instance: instance, retention: settings.retention,
            rawRetention: settings.rawRetention, logger: logger)
    }

    /// Closes the connection; the next operation opens a new one.
    public func close() async {
        await connector.close()
    }

    // MARK: - Writing

    public func record(_ evaluations: [EvaluationRecord]) async throws(HistoryError) {
        guard !evaluations.isEmpty else { return }
        let ordered = evaluations.enumerated().sorted {
            ($0.element.at, $0.offset) < ($1.element.at, $1.offset)
        }
        .map(\.element)
        try await transaction("record evaluations") { store, connection in
            var states = await store.aliases
            for record in ordered {
                var state = try await store.aliasState(record.alias, states: states, on: connection)
                try await store.insert(record, state: &state, on: connection)
                states[record.alias] = state
            }
            await store.setAliases(states)
        }
    }

    public func record(cycle: CycleRecord) async throws(HistoryError) {
        let instance = instance
        try await transaction("record a cycle") { _, connection in
            try await Self.run(
                "INSERT INTO lbd_history_cycle (instance, t, n, body) VALUES (\(instance), \(cycle.at.historySeconds), NULL, \(StoredHistoryCodec.encode(cycle)))",
                on: connection)
        }
    }

    public func record(event: ServiceEvent) async throws(HistoryError) {
        try await transaction("record an event") { _, connection in
            try await Self.run(
                "INSERT INTO lbd_history_event (instance, t, kind, detail) VALUES (\(event.instance), \(event.at.historySeconds), \(event.kind), \(event.detail))",
                on: connection)
        }
    }

    private func setAliases(_ states: [String: AliasState]) { aliases = states }

    private func aliasState(_ alias: String, states: [String: AliasState], on connection: PostgresConnection)
        async throws -> AliasState
    {
        if let state = states[alias] { return state }
        var state = AliasState()
        let open = try await connection.query(
            "SELECT node, start FROM lbd_history_membership WHERE alias = \(alias) AND instance = \(instance) AND stop IS NULL",
            logger: logger)
        for try await (node, start) in open.decode((String, Int64).self) { state.open[node] = start }
        let previous = try await connection.query(
            "SELECT policy, chosen FROM lbd_history_alias_state WHERE instance = \(instance) AND alias = \(alias)",
            logger: logger)
        for try await (policyText, chosen) in previous.decode((String, Data).self) {
            guard let policy = AppliedPolicy(rawValue: policyText) else {
                throw HistoryError.failed(
                    "a stored alias state names an unknown policy: the store is damaged")
            }
            state.previous = (try StoredHistoryCodec.decodeNodes(chosen), policy)
        }
        return state
    }

    private func insert(
        _ record: EvaluationRecord, state: inout AliasState, on connection: PostgresConnection
    )
        async throws
    {
        let time = record.at.historySeconds
        let alias = record.alias
        for member in record.members {
            let load = member.load.map(Int64.init)
            try await Self.run(
                """
                INSERT INTO lbd_history_sample (alias, node, t, instance, total, failure)
                VALUES (\(alias), \(member.node), \(time), \(instance), \(load), \(member.failure))
                ON CONFLICT (alias, node, t, instance) DO UPDATE
                    SET n = NULL, loaded = NULL, total = excluded.total, lo = NULL, hi = NULL,
                        failure = excluded.failure
                """, on: connection)
        }
        let standby = record.action == "standby"
        let chosenNow: Set<String> =
            standby
            ? []
            : record.published == nil
                ? Set(state.open.keys) : Set(record.members.filter(\.chosen).map(\.node))
        for node in chosenNow.sorted() where state.open[node] == nil {
            try await Self.run(
                """
                INSERT INTO lbd_history_membership (alias, instance, start, node, stop)
                VALUES (\(alias), \(instance), \(time), \(node), NULL)
                ON CONFLICT (alias, instance, start, node) DO UPDATE SET stop = NULL
                """, on: connection)
            state.open[node] = time
        }
        for (node, start) in state.open where !chosenNow.contains(node) {
            try await Self.run(
                """
                UPDATE lbd_history_membership SET stop = \(time)
                WHERE alias = \(alias) AND instance = \(instance) AND start = \(start) AND node = \(node)
                """, on: connection)
            state.open[node] = nil
        }
        guard !standby else { return }
        let chosen = Set(record.members.filter(\.chosen).map(\.node))
        if let change = AliasHistoryBuilder.change(after: state.previous, to: record) {
            try await Self.run(
                "INSERT INTO lbd_history_decision (alias, instance, t, body) VALUES (\(alias), \(instance), \(time), \(StoredHistoryCodec.encode(change)))",
                on: connection)
        }
        if state.previous?.chosen != chosen || state.previous?.policy != record.policy {
            try await Self.run(
                """
                INSERT INTO lbd_history_alias_state (instance, alias, policy, chosen)
                VALUES (\(instance), \(alias), \(record.policy.rawValue), \(StoredHistoryCodec.encode(nodes: chosen)))
                ON CONFLICT (instance, alias) DO UPDATE SET policy = excluded.policy, chosen = excluded.chosen
                """, on: connection)
        }
        state.previous = (chosen, record.policy)
    }

    // MARK: - Reading

    public func aliasHistory(_ alias: String, from: Date, to: Date) async throws(HistoryError) -> AliasHistory
    {
        guard from <= to else { throw .invalidRequest("the window ends before it starts") }
        let low = from.historySecondsUp
        let high = to.historySecondsUp
        let fromSeconds = from.historySeconds
        return try await operation("read the history of \(alias)") { store, connection in
            let logger = store.logger
            var memberships: [MembershipInterval] = []
            let intervals = try await connection.query(
                """
                SELECT node, start, stop FROM lbd_history_membership
                WHERE alias = \(alias) AND start < \(high) AND (stop IS NULL OR stop >= \(fromSeconds))
                """, logger: logger)
            for try await (node, start, stop) in intervals.decode((String, Int64, Int64?).self) {
                let startDate = Date(timeIntervalSince1970: Double(start))
                let stopDate = stop.map { Date(timeIntervalSince1970: Double($0)) }
                guard startDate < to, (stopDate ?? to) > from else { continue }
                memberships.append(
                    MembershipInterval(
                        node: node, from: max(startDate, from), to: stopDate.flatMap { $0 < to ? $0 : nil }))
            }
            var loads: [LoadSample] = []
            let samples = try await connection.query(
                """
                SELECT node, t, n, loaded, total, lo, hi, failure FROM lbd_history_sample
                WHERE alias = \(alias) AND t >= \(low) AND t < \(high) ORDER BY node, t, instance
                """, logger: logger)
            for try await (node, t, n, loaded, total, lo, hi, failure) in samples.decode(
                (String, Int64, Int32?, Int32?, Int64?, Int64?, Int64?, String?).self)
            {
                let stored = StoredLoad(
                    time: t, count: Int(n ?? 1), loaded: Int(loaded ?? 0), total: total, minimum: lo,
                    maximum: hi,
                    failure: failure)
                loads.append(stored.sample(node: node))
            }
            var decisions: [DecisionChange] = []
            let changes = try await connection.query(
                """
                SELECT t, body FROM lbd_history_decision
                WHERE alias = \(alias) AND t >= \(low) AND t < \(high) ORDER BY t, id
                """, logger: logger)
            for try await (t, body) in changes.decode((Int64, Data).self) {
                decisions.append(
                    try StoredHistoryCodec.decodeDecision(body, at: Date(timeIntervalSince1970: Double(t))))
            }
            return AliasHistory(
                alias: alias, from: from, to: to,
                memberships: memberships.sorted { ($0.node, $0.from) < ($1.node, $1.from) }, loads: loads,
                decisions: decisions)
        }
    }

    public func serviceHistory(from: Date, to: Date) async throws(HistoryError) -> ServiceHistory {
        guard from <= to else { throw .invalidRequest("the window ends before it starts") }
        let low = from.historySecondsUp
        let high = to.historySecondsUp
        return try await operation("read the service history") { store, connection in
            let logger = store.logger
            var cycles: [CycleRecord] = []
            let cycleRows = try await connection.query(
                "SELECT t, body FROM lbd_history_cycle WHERE t >= \(low) AND t < \(high) ORDER BY t, id",
                logger: logger)
            for try await (t, body) in cycleRows.decode((Int64, Data).self) {
                cycles.append(
                    try StoredHistoryCodec.decodeCycle(body, at: Date(timeIntervalSince1970: Double(t))))
            }
            var events: [ServiceEvent] = []
            let eventRows = try await connection.query(
                "SELECT t, kind, instance, detail FROM lbd_history_event WHERE t >= \(low) AND t < \(high) ORDER BY t, id",
                logger: logger)
            for try await (t, kind, instance, detail) in eventRows.decode(
                (Int64, String, String, String).self)
            {
                events.append(
                    ServiceEvent(
                        at: Date(timeIntervalSince1970: Double(t)), kind: kind, instance: instance,
                        detail: detail))
            }
            return ServiceHistory(from: from, to: to, cycles: cycles, events: events)
        }
    }

    // MARK: - Retention and roll-up

    /// Drops and rolls up this instance's rows only: each instance of a pair maintains its own.
    public func maintain(now: Date) async throws(HistoryError) {
        let keepFrom = now.addingTimeInterval(-retention).historySeconds
        let rawCut = LoadRollup.bucketStart(now.addingTimeInterval(-rawRetention).historySeconds)
        let instance = instance
        try await transaction("drop old history") { _, connection in
            try await Self.run(
                "DELETE FROM lbd_history_membership WHERE instance = \(instance) AND stop IS NOT NULL AND stop <= \(keepFrom)",
                on: connection)
            for table in [
                "lbd_history_sample", "lbd_history_decision", "lbd_history_cycle", "lbd_history_event",
            ] {
                try await Self.run(
                    "DELETE FROM \(unescaped: table) WHERE instance = \(instance) AND t < \(keepFrom)",
                    on: connection)
            }
        }
        // Where the roll-up stopped; before the first, the oldest row (not the retention's start,
        // which would be a month of empty hours).
        let mark = try await operation("read the roll-up mark") { store, connection in
            var mark: Int64?
            let rows = try await connection.query(
                """
                SELECT coalesce(
                    (SELECT value FROM lbd_history_meta WHERE instance = \(instance) AND key = 'rolled_until'),
                    least(
                        (SELECT min(t) FROM lbd_history_sample WHERE instance = \(instance)),
                        (SELECT min(t) FROM lbd_history_cycle WHERE instance = \(instance))))
                """, logger: store.logger)
            for try await value in rows.decode(Int64?.self) { mark = value }
            return mark
        }
        guard let mark else { return }
        // An hour of samples a transaction, on bucket boundaries: each stays well within
        // `timeout` at CERN's scale, a write waits for one only, and the mark moves with each, so
        // that a long gap (or a shorter raw_retention) is caught up rather than retried whole.
        var from = max(mark, keepFrom)
        while from < rawCut {
            let (low, high) = (from, min(LoadRollup.bucketStart(from) + 3600, rawCut))
            try await transaction("roll up samples") { store, connection in
                // The rule of `LoadRollup.merge`, in SQL: usable loads only, the most frequent failure
                // (mode() picks the first in order among equals).
                try await Self.run(
                    """
                    WITH bucketed AS (
                        SELECT alias, node, t - ((t % 300) + 300) % 300 AS b FROM lbd_history_sample
                        WHERE instance = \(instance) AND t >= \(low) AND t < \(high)
                        GROUP BY 1, 2, 3 HAVING count(*) > 1
                    ), doomed AS (
                        DELETE FROM lbd_history_sample s USING bucketed
                        WHERE s.instance = \(instance) AND s.alias = bucketed.alias AND s.node = bucketed.node
                            AND s.t >= \(low) AND s.t < \(high) AND s.t - ((s.t % 300) + 300) % 300 = bucketed.b
                        RETURNING s.*
                    )
                    INSERT INTO lbd_history_sample (alias, node, t, instance, n, loaded, total, lo, hi, failure)
                    SELECT alias, node, t - ((t % 300) + 300) % 300, instance, sum(coalesce(n, 1))::integer,
                        sum(CASE WHEN coalesce(n, 1) > 1 THEN loaded
                            WHEN failure IS NULL AND total IS NOT NULL THEN 1 ELSE 0 END)::integer,
                        sum(CASE WHEN coalesce(n, 1) > 1 THEN CASE WHEN loaded > 0 THEN total END
                            WHEN failure IS NULL THEN total END)::bigint,
                        min(CASE WHEN coalesce(n, 1) > 1 THEN CASE WHEN loaded > 0 THEN lo END
                            WHEN failure IS NULL THEN total END),
                        max(CASE WHEN coalesce(n, 1) > 1 THEN CASE WHEN loaded > 0 THEN hi END
                            WHEN failure IS NULL THEN total END),
                        mode() WITHIN GROUP (ORDER BY failure)
                    FROM doomed GROUP BY 1, 2, 3, 4
                    ON CONFLICT (alias, node, t, instance) DO UPDATE SET n = excluded.n, loaded = excluded.loaded,
                        total = excluded.total, lo = excluded.lo, hi = excluded.hi, failure = excluded.failure
                    """, on: connection)
                try await store.rollUpCycles(from: low, to: high, on: connection)
                try await Self.run(
                    """
                    INSERT INTO lbd_history_meta (instance, key, value) VALUES (\(instance), 'rolled_until', \(high))
                    ON CONFLICT (instance, key) DO UPDATE SET value = excluded.value
                    """, on: connection)
            }
            from = high
        }
    }

    private func rollUpCycles(from: Int64, to: Int64, on connection: PostgresConnection) async throws {
        var groups: [Int64: [(id: Int64, count: Int, cycle: CycleRecord)]] = [:]
        let rows = try await connection.query(
            "SELECT id, t, n, body FROM lbd_history_cycle WHERE instance = \(instance) AND t >= \(from) AND t < \(to)",
            logger: logger)
        for try await (id, t, n, body) in rows.decode((Int64, Int64, Int32?, Data).self) {
            let cycle = try StoredHistoryCodec.decodeCycle(body, at: Date(timeIntervalSince1970: Double(t)))
            groups[LoadRollup.bucketStart(t), default: []].append((id, Int(n ?? 1), cycle))
        }
        for (start, group) in groups where group.count > 1 {
            let merged = LoadRollup.merge(group.map(\.cycle), at: Date(timeIntervalSince1970: Double(start)))
            let ids = group.map(\.id)
            try await Self.run("DELETE FROM lbd_history_cycle WHERE id = ANY(\(ids))", on: connection)
            let count = Int32(group.reduce(0) { $0 + $1.count })
            try await Self.run(
                "INSERT INTO lbd_history_cycle (instance, t, n, body) VALUES (\(instance), \(start), \(count), \(StoredHistoryCodec.encode(merged)))",
                on: connection)
        }
    }

    // MARK: - Connection

    private static func run(_ query: PostgresQuery, on connection: PostgresConnection) async throws {
        _ = try await connection.query(
            query, logger: Logger(label: "lbd.history.postgres", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    /// `body` inside BEGIN ... COMMIT (ROLLBACK when it throws), one operation at a time.
    private func transaction(
        _ name: String,
        _ body: @escaping @Sendable (PostgresHistoryStore, PostgresConnection) async throws -> Void
    ) async throws(HistoryError) {
        let saved = aliases
        do throws(HistoryError) {
            try await operation(name) { store, connection in
                try await Self.run("BEGIN", on: connection)
                do {
                    try await body(store, connection)
                    try await Self.run("COMMIT", on: connection)
                } catch {
                    try? await Self.run("ROLLBACK", on: connection)
                    throw error
                }
            }
        } catch {
            // The cache must only hold what was committed.
            aliases = saved
            throw error
        }
    }

    /// Runs `body` on the connection (opened when needed, with the tables), alone, within
    /// `timeout` seconds: past it the connection is closed, which ends the statement.
    private func operation<Result: Sendable>(
        _ name: String,
        _ body: @escaping @Sendable (PostgresHistoryStore, PostgresConnection) async throws -> Result
    ) async throws(HistoryError) -> Result {
        await acquire()
        defer { release() }
        let connection = try await connected()
        do {
            return try await connector.bounded(on: connection) { connection in
                try await body(self, connection)
            }
        } catch {
            // A statement the server refused leaves the connection usable.
            if !(error is HistoryError), (error as? PSQLError)?.code != .server {
                await connector.drop(connection)
            }
            throw describe(error, operation: name)
        }
    }

    private func acquire() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func release() {
        if waiters.isEmpty {
            busy = false
        } else {
            waiters.removeFirst().resume()
        }
    }

    private func connected() async throws(HistoryError) -> PostgresConnection {
        let connection: PostgresConnection
        do {
            connection = try await connector.connection()
        } catch {
            throw describe(error, operation: "connect")
        }
        if !schemaReady {
            do {
                let (server, logger) = (url.server, logger)
                try await connector.bounded(on: connection) { connection in
                    try await Self.prepareSchema(on: connection, server: server, logger: logger)
                }
                schemaReady = true
            } catch {
                await connector.drop(connection)
                throw describe(error, operation: "create the tables")
            }
        }
        return connection
    }

    private static func prepareSchema(on connection: PostgresConnection, server: String, logger: Logger)
        async throws
    {
        // Two instances creating the tables at once: one waits for the other's lock.
        try await Self.run("SELECT pg_advisory_lock(7260814)", on: connection)
        do {
            for statement in PostgresHistorySchema.statements {
                try await Self.run(statement, on: connection)
            }
            var found: Int64?
            let rows = try await connection.query(
                "SELECT value FROM lbd_history_meta WHERE instance = '' AND key = 'schema_version'",
                logger: logger)
            for try await value in rows.decode(Int64?.self) { found = value }
            if let found, found > Int64(PostgresHistorySchema.version) {
                throw HistoryError.unavailable(
                    "\(server) has history schema version \(found) and this lbd knows version \(PostgresHistorySchema.version) only: run a newer lbd"
                )
            }
            if found == nil {
                let version = Int64(PostgresHistorySchema.version)
                try await Self.run(
                    "INSERT INTO lbd_history_meta (instance, key, value) VALUES ('', 'schema_version', \(version))",
                    on: connection)
            }
        } catch {
            try? await Self.run("SELECT pg_advisory_unlock(7260814)", on: connection)
            throw error
        }
        try await Self.run("SELECT pg_advisory_unlock(7260814)", on: connection)
    }

    nonisolated private func describe(_ error: any Error, operation: String) -> HistoryError {
        if let error = error as? HistoryError { return error }
        if error is CancellationError { return .failed("\(url.server): \(operation): cancelled") }
        if let error = error as? PostgresConnectorError {
            switch error {
            case .passwordFileUnreadable(let path, _):
                return .unavailable("history.password_file \(path) cannot be read")
            case .connectFailed(let underlying, let password):
                return .unavailable(
                    "\(url.server): cannot connect: \(connector.clean(Self.reason(underlying), password: password))"
                )
            case .expired(let cancelled):
                return .failed(
                    "\(url.server): \(operation): \(cancelled ? "cancelled" : "no answer within \(timeout) s")"
                )
            }
        }
        if let error = error as? PSQLError, error.code == .server {
            let state = error.serverInfo?[.sqlState] ?? "?"
            let message = connector.clean(error.serverInfo?[.message] ?? "no message", password: nil)
            // 53100 disk_full, 53200 out_of_memory, 25006 read_only_sql_transaction.
            return .failed("\(url.server): \(operation): \(message) (SQLSTATE \(state))")
        }
        return .failed(
            "\(url.server): \(operation): connection lost: \(connector.clean(Self.reason(error), password: nil))"
        )
    }

    private static func reason(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if error.code == .server { return error.serverInfo?[.message] ?? "server error" }
            if let underlying = error.underlying { return String(describing: underlying) }
            return "\(error.code)"
        }
        return String(describing: error)
    }
}
