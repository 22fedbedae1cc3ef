import Foundation

/// A `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE` URL, parsed here rather than by
/// Foundation so that no error or log line ever repeats the text (it may hold a password).
///
/// Invariant: `description` never contains the password.
public struct PostgresURL: Hashable, Sendable, CustomStringConvertible {
    public var user: String
    /// From the URL (percent-decoded); `lease.password_file` replaces it.
    public var password: String?
    /// A name, an IPv4 address, or an IPv6 address without brackets.
    public var host: String
    public var port: Int
    public var database: String

    public init(user: String, password: String? = nil, host: String, port: Int = 5432, database: String) {
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.database = database
    }

    /// Parses `text`; `postgresql://` is accepted too. Percent-escapes are decoded in the user,
    /// the password and the database. Query parameters are refused, except `sslmode=disable`,
    /// since TLS is not offered yet.
    public init(parsing text: String) throws(LeaseError) {
        var rest = Substring(text)
        if rest.hasPrefix("postgres://") {
            rest = rest.dropFirst("postgres://".count)
        } else if rest.hasPrefix("postgresql://") {
            rest = rest.dropFirst("postgresql://".count)
        } else {
            throw .invalidURL(reason: "it must start with postgres://")
        }
        if let question = rest.firstIndex(of: "?") {
            try Self.checkParameters(rest[rest.index(after: question)...])
            rest = rest[..<question]
        }
        // The database follows the first '/' after the last '@', so that a password may hold '/'.
        let userEnd = rest.lastIndex(of: "@") ?? rest.startIndex
        guard let slash = rest[userEnd...].firstIndex(of: "/") else {
            throw .invalidURL(reason: "the database name is missing")
        }
        let authority = rest[..<slash]
        guard let database = Self.decode(rest[rest.index(after: slash)...]), !database.isEmpty else {
            throw .invalidURL(reason: "the database name is missing")
        }
        guard let at = authority.lastIndex(of: "@") else {
            throw .invalidURL(reason: "the user is missing (USER@HOST)")
        }
        let userInfo = authority[..<at]
        let hostPort = authority[authority.index(after: at)...]
        let userPart = userInfo.firstIndex(of: ":").map { userInfo[..<$0] } ?? userInfo
        guard let user = Self.decode(userPart), !user.isEmpty else {
            throw .invalidURL(reason: "the user is missing (USER@HOST)")
        }
        var password: String?
        if let colon = userInfo.firstIndex(of: ":") {
            guard let decoded = Self.decode(userInfo[userInfo.index(after: colon)...]) else {
                throw .invalidURL(reason: "the password has a malformed %-escape")
            }
            password = decoded.isEmpty ? nil : decoded
        }
        let (host, port) = try Self.hostAndPort(hostPort)
        self.init(user: user, password: password, host: host, port: port, database: database)
    }

    /// `postgres://USER@HOST:PORT/DATABASE`, without the password.
    public var description: String { "postgres://\(user)@\(server)" }

    /// `HOST:PORT/DATABASE`, how errors name the server.
    public var server: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(shownHost):\(port)/\(database)"
    }

    private static func hostAndPort(_ text: Substring) throws(LeaseError) -> (String, Int) {
        var host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw .invalidURL(reason: "an IPv6 host must be written [ADDRESS]")
            }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else {
                    throw .invalidURL(reason: "unexpected text after the host")
                }
                portText = after.dropFirst()
            }
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            host = text
        }
        guard !host.isEmpty else { throw .invalidURL(reason: "the host is missing") }
        guard let portText else { return (String(host), 5432) }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw .invalidURL(reason: "the port must be a number from 1 to 65535")
        }
        return (String(host), port)
    }

    private static func checkParameters(_ query: Substring) throws(LeaseError) {
        for parameter in query.split(separator: "&") where !parameter.isEmpty {
            guard parameter == "sslmode=disable" else {
                let name = parameter.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
                throw .invalidURL(
                    reason:
                        "parameter '\(name.prefix(20))' is not supported (only sslmode=disable; TLS is not offered yet)"
                )
            }
        }
    }

    private static func decode(_ text: Substring) -> String? {
        String(text).removingPercentEncoding
    }
}
