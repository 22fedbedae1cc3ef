import Foundation
import Logging
import NIOCore
import PostgresNIO

/// One PostgreSQL connection, opened on first use and again after it broke, for `LeaseStore`
/// and `PostgresHistoryStore`: the password (file) read at each connection, every operation
/// bounded in time, and what may repeat the password removed from messages. Each store turns
/// a ``PostgresConnectorError`` into its own error.
///
/// A single connection rather than a `PostgresClient` pool: a pool waits up to a minute (its
/// circuit breaker) before failing a request when the server is gone and then hides why, and a
/// query already sent to a frozen server cannot be cancelled, only ended by closing its channel.
actor PostgresConnector {
    nonisolated let url: PostgresURL
    /// Read at each connection (so a rotated password is picked up); replaces the URL's password.
    nonisolated let passwordFile: String?
    /// Seconds allowed to connect, and again for each operation.
    nonisolated let timeout: Double
    nonisolated let logger: Logger
    private var connection: PostgresConnection?
    private var opened = 0

    init(url: PostgresURL, passwordFile: String?, timeout: Double, logger: Logger) {
        self.url = url
        self.passwordFile = passwordFile
        self.timeout = max(0.1, timeout)
        var logger = logger
        // postgres-nio's own debug lines (every query) would drown lbd's.
        logger.logLevel = max(logger.logLevel, .notice)
        self.logger = logger
    }

    /// The open connection, or a new one when there is none or it closed.
    func connection() async throws(PostgresConnectorError) -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        connection = nil
        let password = try password()
        var configuration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.user, password: password, database: url.database,
            tls: .disable)
        configuration.options.connectTimeout = .milliseconds(Int64(timeout * 1000))
        opened += 1
        let fresh: PostgresConnection
        do {
            fresh = try await PostgresConnection.connect(
                configuration: configuration, id: opened, logger: logger)
        } catch {
            throw .connectFailed(error, password: password)
        }
        if let existing = connection, !existing.isClosed {
            // Another operation connected while this one waited: keep one.
            try? await fresh.close()
            return existing
        }
        connection = fresh
        return fresh
    }

    /// Closes `broken`; the next operation opens a new connection.
    func drop(_ broken: PostgresConnection) async {
        if connection === broken { connection = nil }
        try? await broken.close()
    }

    /// Closes the connection; the next operation opens a new one.
    func close() async {
        guard let connection else { return }
        self.connection = nil
        try? await connection.close()
    }

    private enum Outcome<Value: Sendable>: Sendable {
        case finished(Value)
        case expired
    }

    /// Runs `body` on `connection`, or closes the connection after `timeout` seconds (or when
    /// cancelled) and throws `.expired`: a query already sent to a frozen server only ends when
    /// its channel closes. Errors of `body` pass through.
    nonisolated func bounded<Result: Sendable>(
        on connection: PostgresConnection,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let timeout = timeout
        return try await withThrowingTaskGroup(of: Outcome<Result>.self) { group in
            group.addTask { .finished(try await body(connection)) }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(Int64(timeout * 1000)))
                return .expired
            }
            defer { group.cancelAll() }
            switch try await group.next() {
            case .finished(let value): return value
            case .expired, nil:
                let _: EventLoopFuture<Void> = connection.close()
                throw PostgresConnectorError.expired(cancelled: Task.isCancelled)
            }
        }
    }

    /// The password file's first line, or the URL's password when there is no file.
    nonisolated func password() throws(PostgresConnectorError) -> String? {
        guard let passwordFile else { return url.password }
        do {
            let text = try String(contentsOfFile: passwordFile, encoding: .utf8)
            // A file written by `echo` ends with a newline that is not part of the password.
            return String(text.prefix { $0 != "\n" && $0 != "\r" })
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? "not readable as UTF-8 text"
            throw .passwordFileUnreadable(path: passwordFile, reason: reason)
        }
    }

    /// `text` with the password (`password`, else the URL's) replaced by `***`.
    nonisolated func clean(_ text: String, password: String?) -> String {
        guard let secret = password ?? url.password, !secret.isEmpty else { return text }
        return text.replacingOccurrences(of: secret, with: "***")
    }
}

/// Why `PostgresConnector` could not give a connection or finish an operation; the stores turn
/// it into their own errors. Its description never holds the password.
enum PostgresConnectorError: Error, CustomStringConvertible {
    /// The password file could not be read.
    case passwordFileUnreadable(path: String, reason: String)
    /// PostgresNIO's error while connecting; `password` is what it was given, for `clean`.
    case connectFailed(any Error, password: String?)
    /// No answer within the timeout, or the task was cancelled; the connection is closed.
    case expired(cancelled: Bool)

    var description: String {
        switch self {
        case .passwordFileUnreadable(let path, let reason): "password file \(path) cannot be read: \(reason)"
        case .connectFailed: "cannot connect"
        case .expired(let cancelled): cancelled ? "cancelled" : "no answer in time"
        }
    }
}
