/// Where an HAProxy runtime API listens: a UNIX socket path or a TCP address.
public enum HAProxySocket: Hashable, Sendable, CustomStringConvertible {
    case unix(path: String)
    case tcp(ServerAddress)

    /// A path when `text` starts with `/` (or `unix@`), else HOST:PORT.
    public init(parsing text: String) throws(ConfigurationMessage) {
        if text.hasPrefix("unix@") {
            self = try Self(parsing: String(text.dropFirst("unix@".count)))
            return
        }
        if text.hasPrefix("/") {
            // sockaddr_un holds 108 bytes with the terminating zero.
            guard text.utf8.count < 108 else {
                throw ConfigurationMessage("a UNIX socket path has at most 107 bytes, not \(text.utf8.count)")
            }
            self = .unix(path: text)
            return
        }
        guard text.contains(":") else {
            throw ConfigurationMessage(
                "haproxy socket '\(text.prefix(80))' is neither a UNIX socket path (/...) nor HOST:PORT")
        }
        do {
            self = .tcp(try ServerAddress(parsing: text, defaultPort: 9999))
        } catch {
            throw ConfigurationMessage("haproxy socket: \(error.text)")
        }
    }

    public var description: String {
        switch self {
        case .unix(let path): return path
        case .tcp(let address): return address.description
        }
    }
}
