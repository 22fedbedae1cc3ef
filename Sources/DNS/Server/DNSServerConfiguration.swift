import NIOCore
import NIOPosix

/// Where and how `DNSServer` listens, who may transfer and change its zones, and which
/// secondaries it notifies.
public struct DNSServerConfiguration: Sendable {
    /// The address to bind, e.g. `127.0.0.1`, `0.0.0.0` or `::`. On `0.0.0.0` and `::` each UDP
    /// answer leaves from the address its query was sent to.
    public var host: String
    /// The port for both UDP and TCP; 0 picks a free one (the same for both).
    public var port: Int
    /// How many UDP sockets share the port (SO_REUSEPORT), each read on its own thread (or event
    /// loop where recvmmsg is missing), so that queries are answered on every core; one per core
    /// by default. 1 keeps a single socket.
    public var udpSockets: Int
    /// A TCP connection that starts no message for this long after it opens or after its last
    /// complete message (with no answer left to send) is closed, so idle clients do not hold
    /// resources for ever (RFC 7766 section 6.2.3 suggests seconds, not minutes).
    public var tcpIdleTimeout: TimeAmount
    /// The whole time a TCP client has to send one message, from its first octet to its last.
    /// The deadline does not restart with each octet, so a client trickling bytes is closed
    /// when it passes, however steadily it trickles.
    public var tcpMessageTimeout: TimeAmount
    /// How long a TCP connection may go without any of its queued answers being taken by the
    /// client while it has more than `maximumTCPOutputBytes` unsent; it is then closed and its
    /// queued answers freed.
    public var tcpWriteTimeout: TimeAmount
    /// The answers one TCP connection may have queued and unsent before the server stops reading
    /// its further queries (they wait in the socket until the client reads).
    public var maximumTCPOutputBytes: Int
    /// The most TCP connections open at once; a connection beyond is closed as soon as it is
    /// accepted, so a client opening many cannot exhaust descriptors or memory.
    public var maximumTCPConnections: Int
    /// The most TCP connections open at once from one client address, so that one client cannot
    /// take every connection; beyond, a new one is closed as soon as it is accepted.
    public var maximumTCPConnectionsPerSource: Int
    /// Connections kept, beyond `maximumTCPConnections`, for the `transferSources` alone, so
    /// that the listed secondaries can transfer zones even while others hold every connection.
    public var transferConnectionReserve: Int
    /// The largest query accepted over TCP; a longer length prefix closes the connection. Queries
    /// are small: this bounds what one client can make the server buffer.
    public var maximumTCPQuerySize: Int
    /// The largest UDP response sent whatever the client's EDNS size, to stay clear of IP
    /// fragmentation; never under 512.
    public var maximumUDPResponseSize: Int
    /// The client IP addresses (e.g. `127.0.0.1`, `2001:db8::53`) allowed to transfer zones
    /// (AXFR, IXFR) without a key.
    public var transferSources: Set<String>
    /// The TSIG keys allowed to transfer zones from any address; the transfer is then signed.
    /// With neither sources nor keys, every transfer is REFUSED.
    public var transferKeys: [TSIGKey]
    /// The TSIG keys allowed to change zones with RFC 2136 UPDATE; an UPDATE must be signed
    /// with one of them. Empty: every UPDATE is REFUSED.
    public var updateKeys: [TSIGKey]
    /// The zones each update key (by key name) may change; a key not listed here may change
    /// every zone. An UPDATE to another zone is REFUSED.
    public var updateKeyZones: [DomainName: Set<DomainName>]
    /// The secondaries sent a NOTIFY (RFC 1996) when a zone changes, and for every zone when the
    /// server starts.
    public var notifyTargets: [SocketAddress]
    /// The key NOTIFY messages are signed with, if the secondaries want them signed.
    public var notifyKey: TSIGKey?
    /// How long to wait for a secondary to acknowledge one NOTIFY before sending it again.
    public var notifyTimeout: Duration
    /// How many times a NOTIFY is sent to a secondary that does not answer before giving up
    /// (the secondary still finds the change at its next SOA refresh).
    public var notifyAttempts: Int

    public init(
        host: String = "127.0.0.1", port: Int = 0, udpSockets: Int = System.coreCount,
        tcpIdleTimeout: TimeAmount = .seconds(10), tcpMessageTimeout: TimeAmount = .seconds(5),
        tcpWriteTimeout: TimeAmount = .seconds(10), maximumTCPOutputBytes: Int = 256 << 10,
        maximumTCPConnections: Int = 256, maximumTCPConnectionsPerSource: Int = 16,
        transferConnectionReserve: Int = 16, maximumTCPQuerySize: Int = 16_384,
        maximumUDPResponseSize: Int = Int(AuthoritativeResponder.payloadSize),
        transferSources: Set<String> = [], transferKeys: [TSIGKey] = [], updateKeys: [TSIGKey] = [],
        updateKeyZones: [DomainName: Set<DomainName>] = [:], notifyTargets: [SocketAddress] = [],
        notifyKey: TSIGKey? = nil, notifyTimeout: Duration = .seconds(2), notifyAttempts: Int = 5
    ) {
        self.host = host
        self.port = port
        self.udpSockets = udpSockets
        self.tcpIdleTimeout = tcpIdleTimeout
        self.tcpMessageTimeout = tcpMessageTimeout
        self.tcpWriteTimeout = tcpWriteTimeout
        self.maximumTCPOutputBytes = maximumTCPOutputBytes
        self.maximumTCPConnections = maximumTCPConnections
        self.maximumTCPConnectionsPerSource = maximumTCPConnectionsPerSource
        self.transferConnectionReserve = transferConnectionReserve
        self.maximumTCPQuerySize = maximumTCPQuerySize
        self.maximumUDPResponseSize = maximumUDPResponseSize
        self.transferSources = transferSources
        self.transferKeys = transferKeys
        self.updateKeys = updateKeys
        self.updateKeyZones = updateKeyZones
        self.notifyTargets = notifyTargets
        self.notifyKey = notifyKey
        self.notifyTimeout = notifyTimeout
        self.notifyAttempts = notifyAttempts
    }

    /// Every key a request may be signed with: a request signed with another is answered
    /// NOTAUTH/BADKEY.
    var knownKeys: [TSIGKey] {
        var keys: [TSIGKey] = []
        for key in transferKeys + updateKeys + (notifyKey.map { [$0] } ?? [])
        where !keys.contains(where: { $0.name == key.name }) {
            keys.append(key)
        }
        return keys
    }
}
