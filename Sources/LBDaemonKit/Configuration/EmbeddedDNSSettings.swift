/// lbd's own authoritative DNS server, which serves the aliases of the partition itself
/// (`dns.embedded` in the native format).
public struct EmbeddedDNSSettings: Hashable, Sendable {
    /// The address and port the server listens on, UDP and TCP.
    public var listen: ServerAddress
    /// The zone every alias is a name of (`lb.example.org.`, with the trailing dot); nil makes
    /// each alias a zone of its own, as golbd's delegated zones.
    public var zone: String?
    /// The SOA primary server and NS record of the zones, with the trailing dot.
    public var nameServer: String
    /// The SOA mailbox of the zones (`hostmaster.example.org.` for hostmaster@example.org).
    public var mailbox: String
    /// Secondaries sent a NOTIFY when a zone changes.
    public var notify: [ServerAddress]
    /// Client addresses (IPv4 or IPv6 literals) allowed to transfer the zones (AXFR, IXFR).
    public var transferFrom: [String]
    /// Whether a TXT query for `_explain.<alias>` is answered with a one-line summary of the
    /// alias's latest decision (`explain: true`); off by default, since it tells anyone who can
    /// query the server how the members are doing.
    public var explain: Bool

    public static let defaultListen = ServerAddress(host: "127.0.0.1", port: 5353)

    public init(
        listen: ServerAddress = EmbeddedDNSSettings.defaultListen, zone: String? = nil,
        nameServer: String = "localhost.", mailbox: String = "hostmaster.localhost.",
        notify: [ServerAddress] = [], transferFrom: [String] = [], explain: Bool = false
    ) {
        self.listen = listen
        self.zone = zone
        self.nameServer = nameServer
        self.mailbox = mailbox
        self.notify = notify
        self.transferFrom = transferFrom
        self.explain = explain
    }
}
