/// `snmp.notifications`: where lbd listens for the INFORMs (or v2c traps) nodes send when their
/// answer changes, and how often such a push may make it re-poll.
///
/// Off by default, which is golbd's behaviour: every node is polled only on its aliases' schedule.
/// The listener accepts the credentials lbd polls with (`snmp.user` and its passwords for v3,
/// `snmp.community` for v2c); what a notification says is never used, only that its sender
/// asked to be polled.
public struct SNMPNotificationSettings: Hashable, Sendable {
    /// The UDP port when `listen` names only a host.
    public static let defaultPort = 162

    /// The address to listen on (an IP address; `0.0.0.0` or `::` for every one); `nil` is off.
    public var listen: ServerAddress?
    /// Seconds: a node is re-polled at most once in this time; notifications within it are folded
    /// into one re-poll at its end, so the node's latest state is always seen.
    public var perNodeInterval: Double
    /// Re-polls started per second over all nodes; the rest wait in a bounded queue.
    public var maximumPerSecond: Int

    public init(listen: ServerAddress? = nil, perNodeInterval: Double = 1, maximumPerSecond: Int = 50) {
        self.listen = listen
        self.perNodeInterval = perNodeInterval
        self.maximumPerSecond = maximumPerSecond
    }
}
