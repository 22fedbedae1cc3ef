import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// The lease table in PostgreSQL: one row per partition, taken, renewed and released by single
/// statements whose time is the database's clock, never an instance's.
///
/// It keeps one connection of its own (a ``PostgresConnector``), opened on first use and again
/// after it broke: every operation is bounded by `timeout` (a late answer closes the connection,
/// which fails the query), and a failure says what went wrong.
///
/// Invariant: an error never contains the password (see ``LeaseError``).
public actor LeaseStore {
    public let url: PostgresURL
    public let table: String
    /// Seconds allowed for connecting, and again for each statement.
    public let timeout: Double
    private let connector: PostgresConnector
    private var tableReady = false

    /// - Parameters:
    ///   - passwordFile: read at each connection (so a rotated password is picked up); it
    ///     replaces the URL's password.
    ///   - timeout: seconds allowed to connect, and again for each statement.
    public init(
        url: PostgresURL, passwordFile: String? = nil, table: String = "lbd_lease", timeout: Double = 3,
        logger: Logger
    ) throws(LeaseError) {
        guard Self.isPlainIdentifier(table) else { throw .invalidTable(table) }
        self.url = url
        self.table = table
        connector = PostgresConnector(url: url, passwordFile: passwordFile, timeout: timeout, logger: logger)
        self.timeout = connector.timeout
        if passwordFile != nil {
            do { _ = try connector.password() } catch {
                throw describe(error, operation: "connect", connecting: true)
            }
        }
    }

    /// A store for `settings` (`lease.url`, `lease.password_file`, `lease.table`).
    public init(settings: LeaseSettings, timeout: Double, logger: Logger) throws(LeaseError) {
        guard let text = settings.url else { throw .invalidURL(reason: "lease.url is not set") }
        try self.init(
            url: PostgresURL(parsing: text), passwordFile: settings.passwordFile, table: settings.table,
            timeout: timeout, logger: logger)
    }

    /// Takes `partition`'s lease for `holder` when nobody holds it or it expired (by the
    /// database's clock), with the previous token plus one (1 for a new row). One statement, so
    /// two instances trying at once cannot both win.
    public func acquire(partition: String, holder: String, ttl: Double) async throws(LeaseError)
        -> LeaseAcquisition
    {
        // The CTE's INSERT and the SELECT from the table see the same snapshot: when nothing was
        // taken the SELECT shows who holds it.
        let query: PostgresQuery = """
            WITH taken AS (
                INSERT INTO \(unescaped: table) AS lease (partition, holder, token, expires_at, acquired_at)
                VALUES (\(partition), \(holder), 1, now() + \(ttl) * interval '1 second', now())
                ON CONFLICT (partition) DO UPDATE
                    SET holder = excluded.holder, token = lease.token + 1,
                        expires_at = excluded.expires_at, acquired_at = excluded.acquired_at
                    WHERE lease.expires_at < now()
                RETURNING holder, token, expires_at
            )
            SELECT true, holder, token, extract(epoch FROM expires_at - now())::float8 FROM taken
            UNION ALL
            SELECT false, holder, token, extract(epoch FROM expires_at - now())::float8
                FROM \(unescaped: table)
                WHERE partition = \(partition) AND NOT EXISTS (SELECT 1 FROM taken)
            """
        let rows = try await perform("acquire", query) { rows in
            var result: [(Bool, String, Int64, Double)] = []
            for try await row in rows.decode((Bool, String, Int64, Double).self) { result.append(row) }
            return result
        }
        guard let (taken, rowHolder, token, remaining) = rows.first else { return .refused(current: nil) }
        if taken { return .acquired(token: token, remaining: remaining) }
        return .refused(current: LeaseRecord(holder: rowHolder, token: token, remaining: remaining))
    }

    /// Extends the lease by `ttl` from now (the database's now) if `holder` still holds it with
    /// `token` and it has not expired: the seconds it now has left, or nil when it was lost.
    public func renew(partition: String, holder: String, token: Int64, ttl: Double) async throws(LeaseError)
        -> Double?
    {
        let query: PostgresQuery = """
            UPDATE \(unescaped: table) SET expires_at = now() + \(ttl) * interval '1 second'
            WHERE partition = \(partition) AND holder = \(holder) AND token = \(token) AND expires_at >= now()
            RETURNING extract(epoch FROM expires_at - now())::float8
            """
        return try await perform("renew", query) { rows in
            var remaining: Double?
            for try await (value) in rows.decode(Double.self) { remaining = value }
            return remaining
        }
    }

    /// Ends `holder`'s lease with `token` now, so that the standby takes it at its next attempt
    /// instead of waiting for the expiry. Whether it was still held.
    @discardableResult
    public func release(partition: String, holder: String, token: Int64) async throws(LeaseError) -> Bool {
        let query: PostgresQuery = """
            UPDATE \(unescaped: table) SET expires_at = now()
            WHERE partition = \(partition) AND holder = \(holder) AND token = \(token) AND expires_at >= now()
            RETURNING token
            """
        return try await perform("release", query) { rows in
            var released = false
            for try await _ in rows.decode(Int64.self) { released = true }
            return released
        }
    }

    /// `partition`'s row, expired or not, or nil when it was never taken.
    public func current(partition: String) async throws(LeaseError) -> LeaseRecord? {
        let query: PostgresQuery = """
            SELECT holder, token, extract(epoch FROM expires_at - now())::float8
            FROM \(unescaped: table) WHERE partition = \(partition)
            """
        return try await perform("read", query) { rows in
            var record: LeaseRecord?
            for try await (holder, token, remaining) in rows.decode((String, Int64, Double).self) {
                record = LeaseRecord(holder: holder, token: token, remaining: remaining)
            }
            return record
        }
    }

    /// Closes the connection; the next operation opens a new one.
    public func close() async {
        await connector.close()
    }

    // MARK: - Connection

    private func perform<Result: Sendable>(
        _ operation: String, _ query: PostgresQuery,
        _ read: @escaping @Sendable (PostgresRowSequence) async throws -> Result
    ) async throws(LeaseError) -> Result {
        let connection = try await connected()
        let logger = connector.logger
        do {
            return try await bounded(operation, on: connection) { connection in
                try await read(connection.query(query, logger: logger))
            }
        } catch {
            if case .serverError = error {
                // The connection is fine; the statement was not.
            } else {
                await connector.drop(connection)
            }
            throw error
        }
    }

    private func connected() async throws(LeaseError) -> PostgresConnection {
        let connection: PostgresConnection
        do {
            connection = try await connector.connection()
        } catch {
            throw describe(error, operation: "connect", connecting: true)
        }
        if !tableReady {
            do {
                try await createTable(on: connection)
                tableReady = true
            } catch {
                if case .serverError = error {} else { await connector.drop(connection) }
                throw error
            }
        }
        return connection
    }

    private func createTable(on connection: PostgresConnection) async throws(LeaseError) {
        let query: PostgresQuery = """
            CREATE TABLE IF NOT EXISTS \(unescaped: table) (
                partition text PRIMARY KEY,
                holder text NOT NULL,
                token bigint NOT NULL,
                expires_at timestamptz NOT NULL,
                acquired_at timestamptz
            )
            """
        let logger = connector.logger
        do {
            try await bounded("create table", on: connection) { connection in
                try await connection.query(query, logger: logger)
                return true
            }
        } catch {
            // Two instances creating it at the same moment: one of them sees the other's table,
            // its row type (42710) or their catalogue rows (23505), once the other committed.
            if case .serverError(_, _, let state, _) = error, ["42P07", "42710", "23505"].contains(state) {
                return
            }
            throw error
        }
    }

    /// Runs `body` on `connection`, within `timeout` seconds (see ``PostgresConnector``).
    private func bounded<Result: Sendable>(
        _ operation: String, on connection: PostgresConnection,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws(LeaseError) -> Result {
        do {
            return try await connector.bounded(on: connection, body)
        } catch {
            throw describe(error, operation: operation, connecting: false)
        }
    }

    // MARK: - Errors

    /// `error` as a ``LeaseError``, with anything that could repeat the password removed.
    nonisolated private func describe(
        _ error: any Error, operation: String, connecting: Bool, password: String? = nil
    ) -> LeaseError {
        if let error = error as? LeaseError { return error }
        if error is CancellationError { return .cancelled(operation: operation) }
        if let error = error as? PostgresConnectorError {
            switch error {
            case .passwordFileUnreadable(let path, let reason):
                return .passwordFileUnreadable(path: path, reason: reason)
            case .connectFailed(let underlying, let password):
                return describe(underlying, operation: operation, connecting: true, password: password)
            case .expired(let cancelled):
                return cancelled
                    ? .cancelled(operation: operation)
                    : .timedOut(server: url.server, operation: operation, seconds: timeout)
            }
        }
        func clean(_ text: String) -> String { connector.clean(text, password: password) }
        guard let error = error as? PSQLError else {
            let reason = clean(String(describing: error))
            return connecting
                ? .unreachable(server: url.server, reason: reason)
                : .connectionLost(server: url.server, operation: operation, reason: reason)
        }
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? "?"
            let message = clean(error.serverInfo?[.message] ?? "no message")
            // 28P01 invalid_password, 28000 invalid_authorization_specification (pg_hba refusal).
            if state == "28P01" || state == "28000" {
                return .authenticationFailed(server: url.server, user: url.user, message: message)
            }
            return .serverError(
                server: url.server, operation: operation, sqlState: state, message: message)
        case .authMechanismRequiresPassword:
            return .authenticationFailed(
                server: url.server, user: url.user,
                message: "the server asks for a password and none is configured")
        case .unsupportedAuthMechanism, .saslError:
            return .authenticationFailed(
                server: url.server, user: url.user, message: "authentication failed (\(error.code))")
        case .connectionError:
            if let channel = error.underlying as? ChannelError, case .connectTimeout = channel {
                return .timedOut(server: url.server, operation: "connect", seconds: timeout)
            }
            let reason = error.underlying.map { clean(Self.networkReason($0)) } ?? "\(error.code)"
            return .unreachable(server: url.server, reason: reason)
        default:
            let reason = error.underlying.map { clean(String(describing: $0)) } ?? "\(error.code)"
            return connecting
                ? .unreachable(server: url.server, reason: reason)
                : .connectionLost(server: url.server, operation: operation, reason: reason)
        }
    }

    /// "Connection refused" rather than NIO's nested description of each address tried.
    private static func networkReason(_ error: any Error) -> String {
        if let error = error as? NIOConnectionError {
            if let dns = error.dnsAError ?? error.dnsAAAAError {
                return "cannot resolve the host: \(networkReason(dns))"
            }
            let reasons = error.connectionErrors.map { networkReason($0.error) }
            return reasons.isEmpty
                ? "no address to connect to" : Array(Set(reasons)).sorted().joined(separator: "; ")
        }
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)) }
        return String(describing: error)
    }

    /// `lease.table` is spliced into SQL, so only `[A-Za-z_][A-Za-z0-9_]*`, 63 characters at most
    /// (the configuration checks the same).
    static func isPlainIdentifier(_ text: String) -> Bool {
        guard let first = text.first, first.isASCII, first.isLetter || first == "_", text.count <= 63 else {
            return false
        }
        return text.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "_" }
    }
}
