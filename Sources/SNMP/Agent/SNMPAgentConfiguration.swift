/// What an `SNMPAgent` listens on and whom it answers: read-only v1/v2c communities and USM users.
///
/// Invariant checked by `SNMPAgent.start()`: `engineID` is a valid RFC 3411 engine ID (5 to 32
/// octets).
public struct SNMPAgentConfiguration: Sendable {
    /// The address to bind, such as `127.0.0.1`, `0.0.0.0` or `::`. On `0.0.0.0` and `::` each
    /// answer leaves from the address its request was sent to.
    public var host: String
    /// The UDP port; 0 lets the system choose one (`SNMPAgent.start()` returns it).
    public var port: Int
    /// Communities answered for v1 and v2c, read-only. Other communities are dropped silently.
    public var communities: [String]
    /// USM users answered for v3. A user is served at its own security level; a request at a
    /// higher level is refused with a usmStatsUnsupportedSecLevels Report, a request at a lower
    /// level gets an `authorizationError` response.
    public var users: [USMUser]
    /// The agent's snmpEngineID, the authoritative engine of every v3 exchange.
    public var engineID: [UInt8]
    /// snmpEngineBoots: a persistent agent increments it at every start.
    public var engineBoots: Int32
    /// How long a request may take to gather its values before it is answered with `genErr`.
    public var requestTimeout: Duration
    /// Requests waiting for their value providers (and providers still running after their
    /// timeout) at once; such requests arriving beyond it are dropped, which keeps memory bounded
    /// when providers hang. Requests whose values are at hand are answered at once, outside it.
    public var maximumConcurrentRequests: Int
    /// 64 random bits, for the AES salt of every encrypted response.
    public var random: @Sendable () -> UInt64
    /// The clock snmpEngineTime is counted on, in seconds since `start()`.
    public var now: @Sendable () -> ContinuousClock.Instant
    /// Source networks for communities and lowest security levels for users (net-snmp's
    /// rocommunity, rocommunity6, rouser). `nil`: `communities` from anywhere, each user at its
    /// own level.
    public var access: SNMPAgentAccess? = nil
    /// Serve the socket from a thread of its own that reads and answers datagrams in batches
    /// (recvmmsg, sendmmsg), where the system has them (Linux); else, or when false, through
    /// NIO's event loop. The answers are the same either way; the thread costs less per request.
    public var datagramThread = true
    /// With `datagramThread`: how long the thread keeps polling its socket after an answer,
    /// rather than sleep, while requests come close together (each within five times this of the
    /// previous answer), as a poller sending one request after another's answer does. Isolated
    /// requests never cost it. Zero (the default): never; the thread sleeps until the next
    /// datagram.
    public var busyPoll: Duration = .zero

    public init(
        host: String = "127.0.0.1",
        port: Int = 161,
        communities: [String] = [],
        users: [USMUser] = [],
        engineID: [UInt8] = SNMPAgentConfiguration.generateEngineID(),
        engineBoots: Int32 = 1,
        requestTimeout: Duration = .seconds(2),
        maximumConcurrentRequests: Int = 256,
        random: @escaping @Sendable () -> UInt64 = {
            var generator = SystemRandomNumberGenerator()
            return generator.next()
        },
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.host = host
        self.port = port
        self.communities = communities
        self.users = users
        self.engineID = engineID
        self.engineBoots = engineBoots
        self.requestTimeout = requestTimeout
        self.maximumConcurrentRequests = maximumConcurrentRequests
        self.random = random
        self.now = now
    }

    /// CERN's private enterprise number (`.1.3.6.1.4.1.96`), the default in generated engine IDs.
    public static let defaultEnterprise: UInt32 = 96

    /// A new RFC 3411 engine ID: `0x80` plus the enterprise number in the first four octets,
    /// format 5 (administratively assigned octets), then eight random octets; 13 octets in all.
    public static func generateEngineID(enterprise: UInt32 = defaultEnterprise) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return generateEngineID(enterprise: enterprise, using: &generator)
    }

    /// `generateEngineID(enterprise:)` with the random octets drawn from `generator`.
    public static func generateEngineID(
        enterprise: UInt32 = defaultEnterprise, using generator: inout some RandomNumberGenerator
    ) -> [UInt8] {
        let head = enterprise | 0x8000_0000
        let random = generator.next() as UInt64
        return [UInt8(head >> 24), UInt8(head >> 16 & 0xFF), UInt8(head >> 8 & 0xFF), UInt8(head & 0xFF), 5]
            + (0..<8).map { UInt8(truncatingIfNeeded: random >> (8 * UInt64($0))) }
    }
}
