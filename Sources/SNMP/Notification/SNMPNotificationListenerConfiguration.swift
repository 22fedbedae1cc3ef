import NIOCore

/// Where a ``SNMPNotificationListener`` listens and whose notifications it accepts.
public struct SNMPNotificationListenerConfiguration: Sendable {
    /// The address to bind, such as `127.0.0.1`, `0.0.0.0` or `::`. On `0.0.0.0` and `::` each
    /// Response and Report leaves from the address the notification was sent to.
    public var host: String
    /// The UDP port (162 is the standard one); 0 lets the system choose (`start()` returns it).
    public var port: Int
    /// USM users whose v3 notifications are accepted, each at exactly its own security level.
    public var users: [USMUser]
    /// Communities whose v2c traps and informs are accepted; empty refuses every v2c message.
    public var communities: [String]
    /// The listener's snmpEngineID: the authoritative engine of the INFORMs it receives, so
    /// senders localise their keys to it.
    public var engineID: [UInt8]
    /// snmpEngineBoots: a listener that keeps its engine ID across restarts increments it at every
    /// start, otherwise a captured INFORM could be replayed after a restart.
    public var engineBoots: Int32
    /// Datagrams longer than this are dropped unread.
    public var maximumMessageSize: Int
    /// Notifications accepted but not yet read by the consumer; past it they are dropped
    /// (`backlogFull`), which bounds memory when the consumer is slow.
    public var bufferCapacity: Int
    /// Called with each datagram's source before it is decoded; `false` drops it as
    /// `refusedSource`, without a Report. `nil` accepts every source.
    public var acceptsSource: (@Sendable (SocketAddress) -> Bool)?
    /// 64 random bits, for the AES salt of encrypted Responses.
    public var random: @Sendable () -> UInt64
    /// The clock snmpEngineTime is counted on, in seconds since `start()`.
    public var now: @Sendable () -> ContinuousClock.Instant

    public init(
        host: String = "127.0.0.1",
        port: Int = 162,
        users: [USMUser] = [],
        communities: [String] = [],
        engineID: [UInt8] = SNMPAgentConfiguration.generateEngineID(),
        engineBoots: Int32 = 1,
        maximumMessageSize: Int = 65_507,
        bufferCapacity: Int = 1_024,
        acceptsSource: (@Sendable (SocketAddress) -> Bool)? = nil,
        random: @escaping @Sendable () -> UInt64 = {
            var generator = SystemRandomNumberGenerator()
            return generator.next()
        },
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.host = host
        self.port = port
        self.users = users
        self.communities = communities
        self.engineID = engineID
        self.engineBoots = engineBoots
        self.maximumMessageSize = maximumMessageSize
        self.bufferCapacity = bufferCapacity
        self.acceptsSource = acceptsSource
        self.random = random
        self.now = now
    }
}
