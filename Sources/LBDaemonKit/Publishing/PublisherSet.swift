import Logging

/// The publishers a configuration asks for.
public enum PublisherSet {
    /// RFC 2136 UPDATEs when a DNS server (or a view with its own server) is configured; none
    /// otherwise, and then lbd only decides and logs.
    public static func make(
        for configuration: Configuration, logger: Logger = Logger(label: "lbd.dns-update")
    ) -> [any Publisher] {
        let dns = configuration.dns
        let hasServer =
            dns.server != nil || dns.internalView?.server != nil || dns.externalView?.server != nil
        guard hasServer, dns.internalView != nil || dns.externalView != nil else { return [] }
        return [DNSUpdatePublisher(settings: dns, aliases: configuration.aliases.map(\.name), logger: logger)]
    }
}
