import NIOCore

/// Where and how `DNSServer` listens.
public struct DNSServerConfiguration: Sendable {
    /// The address to bind, e.g. `127.0.0.1`, `0.0.0.0` or `::`.
    public var host: String
    /// The port for both UDP and TCP; 0 picks a free one (the same for both).
    public var port: Int
    /// A TCP connection that sends nothing for this long is closed, so idle clients do not
    /// hold resources for ever (RFC 7766 section 6.2.3 suggests seconds, not minutes).
    public var tcpIdleTimeout: TimeAmount
    /// The largest query accepted over TCP; a longer length prefix closes the connection. Queries
    /// are small: this bounds what one client can make the server buffer.
    public var maximumTCPQuerySize: Int
    /// The largest UDP response sent whatever the client's EDNS size, to stay clear of IP
    /// fragmentation; never under 512.
    public var maximumUDPResponseSize: Int
    /// The client IP addresses (e.g. `127.0.0.1`, `2001:db8::53`) allowed to transfer zones
    /// (AXFR over TCP); others are REFUSED. Empty: no transfers.
    public var transferSources: Set<String>
    /// The TSIG keys allowed to change zones with RFC 2136 UPDATE; an UPDATE must be signed
    /// with one of them. Empty: every UPDATE is REFUSED.
    public var updateKeys: [TSIGKey]

    public init(
        host: String = "127.0.0.1", port: Int = 0, tcpIdleTimeout: TimeAmount = .seconds(10),
        maximumTCPQuerySize: Int = 16_384,
        maximumUDPResponseSize: Int = Int(AuthoritativeResponder.payloadSize),
        transferSources: Set<String> = [], updateKeys: [TSIGKey] = []
    ) {
        self.updateKeys = updateKeys
        self.transferSources = transferSources
        self.host = host
        self.port = port
        self.tcpIdleTimeout = tcpIdleTimeout
        self.maximumTCPQuerySize = maximumTCPQuerySize
        self.maximumUDPResponseSize = maximumUDPResponseSize
    }
}
