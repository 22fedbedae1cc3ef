import DNS
import LBCore

/// A host and port to talk to or listen on: `host:port`, `[v6]:port`, or just the host when the
/// port has a default.
public struct ServerAddress: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `text`, using `defaultPort` when none is given. A bare IPv6 literal takes the default
    /// port (golbd appended `:53` to it and broke it).
    public init(parsing text: String, defaultPort: Int) throws(ConfigurationMessage) {
        let text = text.trimmingBlanks
        guard !text.isEmpty else { throw ConfigurationMessage("an address is required") }
        var host = text
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw ConfigurationMessage("'\(text)': missing ']' after the IPv6 address")
            }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else {
                    throw ConfigurationMessage("'\(text)': expected ':PORT' after ']'")
                }
                portText = rest.dropFirst()
            }
            guard NodeAddress(String(host)).map({ !$0.isIPv4 }) == true else {
                throw ConfigurationMessage("'\(host)' between brackets is not an IPv6 address")
            }
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else if text.contains(":"), NodeAddress(String(text)) == nil {
            throw ConfigurationMessage("'\(text)' is neither HOST:PORT nor an IPv6 address")
        }
        guard !host.isEmpty else { throw ConfigurationMessage("'\(text)': the host is empty") }
        if NodeAddress(String(host)) == nil {
            let problem: String?
            do {
                problem =
                    try DomainName(parsing: String(host)).labels.isEmpty
                    ? "the root is not a host" : ConfigurationValues.hostNameProblem(String(host))
            } catch {
                problem = error.description
            }
            if let problem {
                throw ConfigurationMessage(
                    "'\(text.prefix(80))': '\(host.prefix(80))' is not a host name or an IP address: \(problem)"
                )
            }
        }
        if let portText {
            guard let port = Int(portText), (1...65_535).contains(port) else {
                throw ConfigurationMessage("'\(text)': the port must be a number from 1 to 65535")
            }
            self.init(host: String(host), port: port)
        } else {
            self.init(host: String(host), port: defaultPort)
        }
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

extension Substring {
    /// The text without leading and trailing spaces, tabs and line ends.
    var trimmingBlanks: Substring {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) })
        else { return "" }
        return self[first...last]
    }
}

extension String {
    /// The text without leading and trailing spaces, tabs and line ends.
    var trimmingBlanks: Substring { Substring(self).trimmingBlanks }
}
