import Foundation

/// Why the PostgreSQL lease could not be read, taken, renewed or released.
///
/// Messages name the server as `HOST:PORT/DATABASE` and the user, never the password: they go to
/// logs, `lbd status` and the API.
public enum LeaseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `lease.url` is missing or not `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`.
    case invalidURL(reason: String)
    /// `lease.password_file` could not be read.
    case passwordFileUnreadable(path: String, reason: String)
    /// `lease.table` is not a plain SQL identifier.
    case invalidTable(String)
    /// No connection could be opened (refused, no route, name unknown, connect timeout).
    case unreachable(server: String, reason: String)
    /// The server refused the user or the password.
    case authenticationFailed(server: String, user: String, message: String)
    /// The server did not answer within the time allowed.
    case timedOut(server: String, operation: String, seconds: Double)
    /// The connection broke during an operation.
    case connectionLost(server: String, operation: String, reason: String)
    /// The server answered with an error (SQLSTATE and its message).
    case serverError(server: String, operation: String, sqlState: String, message: String)
    /// The operation was abandoned because lbd is stopping.
    case cancelled(operation: String)

    public var description: String {
        switch self {
        case .invalidURL(let reason):
            return "lease url: \(reason); expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE"
        case .passwordFileUnreadable(let path, let reason):
            return "lease password_file \(path) cannot be read: \(reason)"
        case .invalidTable(let table):
            return "lease table '\(table.prefix(63))' must be a plain SQL identifier (letters, digits, _)"
        case .unreachable(let server, let reason):
            return "lease database \(server) is unreachable: \(reason)"
        case .authenticationFailed(let server, let user, let message):
            return
                "lease database \(server) refused user \(user): \(message); check lease.url and lease.password_file"
        case .timedOut(let server, let operation, let seconds):
            return
                "lease database \(server) did not answer \(operation) within \(LeaseError.seconds(seconds))"
        case .connectionLost(let server, let operation, let reason):
            return "lease database \(server): the connection broke during \(operation): \(reason)"
        case .serverError(let server, let operation, let sqlState, let message):
            return "lease database \(server) failed \(operation): \(message) (SQLSTATE \(sqlState))"
        case .cancelled(let operation):
            return "lease \(operation) abandoned: lbd is stopping"
        }
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : String(format: "%.1f s", value)
    }
}
