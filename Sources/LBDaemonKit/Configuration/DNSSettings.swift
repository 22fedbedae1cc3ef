import DNS

/// Where and how lbd publishes aliases by RFC 2136 UPDATE.
public struct DNSSettings: Hashable, Sendable {
    /// The primary server that receives UPDATEs and answers lbd's queries; `nil` when lbd does
    /// not publish through a DNS server.
    public var server: ServerAddress?
    /// Seconds to wait for one DNS answer.
    public var timeout: Double
    /// Extra attempts after a failed query or UPDATE.
    public var retries: Int
    /// The most UPDATEs in flight at once.
    public var maxConcurrentUpdates: Int
    /// The key signing UPDATEs of the internal view (every alias).
    public var internalView: DNSView?
    /// The key signing UPDATEs of the external view (external aliases only).
    public var externalView: DNSView?
    /// lbd's own DNS server, serving the aliases itself; nil when lbd does not serve DNS.
    public var embedded: EmbeddedDNSSettings?

    public init(
        server: ServerAddress? = nil, timeout: Double = 2, retries: Int = 3, maxConcurrentUpdates: Int = 4,
        internalView: DNSView? = nil, externalView: DNSView? = nil, embedded: EmbeddedDNSSettings? = nil
    ) {
        self.embedded = embedded
        self.server = server
        self.timeout = timeout
        self.retries = retries
        self.maxConcurrentUpdates = maxConcurrentUpdates
        self.internalView = internalView
        self.externalView = externalView
    }
}

/// A DNS view lbd updates: the TSIG key that selects it on the server, and optionally a server of
/// its own.
public struct DNSView: Hashable, Sendable {
    public var key: TSIGKey
    /// Overrides `DNSSettings.server` for this view.
    public var server: ServerAddress?

    public init(key: TSIGKey, server: ServerAddress? = nil) {
        self.key = key
        self.server = server
    }
}

/// A TSIG key: its name, algorithm and base64 secret.
public struct TSIGKey: Hashable, Sendable {
    /// The key name, ending with a dot.
    public var name: String
    public var algorithm: TSIGAlgorithm
    /// The shared secret, base64 as in BIND's and Knot's key files.
    public var secret: String

    public init(name: String, algorithm: TSIGAlgorithm, secret: String) {
        self.name = name
        self.algorithm = algorithm
        self.secret = secret
    }
}
