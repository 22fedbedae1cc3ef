import Logging

/// The publishers a configuration asks for.
public enum PublisherSet {
    /// RFC 2136 UPDATEs when a DNS server (or a view with its own server) is configured, and one
    /// HAProxy publisher per runtime API socket the aliases' `haproxy:` sections name; none
    /// otherwise, and then lbd only decides and logs.
    public static func make(
        for configuration: Configuration, logger: Logger = Logger(label: "lbd.dns-update")
    ) -> [any Publisher] {
        let dns = configuration.dns
        let hasServer =
            dns.server != nil || dns.internalView?.server != nil || dns.externalView?.server != nil
        let haproxy = haproxyPublishers(for: configuration, logger: logger)
        guard hasServer, dns.internalView != nil || dns.externalView != nil else { return haproxy }
        return [DNSUpdatePublisher(settings: dns, aliases: configuration.aliases.map(\.name), logger: logger)]
            + haproxy
    }

    /// One `HAProxyPublisher` per runtime API socket that some alias's `haproxy:` names.
    static func haproxyPublishers(for configuration: Configuration, logger: Logger) -> [any Publisher] {
        var sockets: [HAProxySocket] = []
        var aliases: [HAProxySocket: [String: HAProxySettings]] = [:]
        for alias in configuration.aliases {
            guard let settings = alias.haproxy else { continue }
            if aliases[settings.socket] == nil { sockets.append(settings.socket) }
            aliases[settings.socket, default: [:]][alias.name] = settings
        }
        var logger = logger
        logger[metadataKey: "publisher"] = "haproxy"
        return sockets.map { HAProxyPublisher(socket: $0, aliases: aliases[$0] ?? [:], logger: logger) }
    }
}
