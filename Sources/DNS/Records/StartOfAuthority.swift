/// The RDATA of an SOA record (RFC 1035 section 3.3.13): the zone's primary server, its
/// contact mailbox, and the serial and timers secondaries use.
public struct StartOfAuthority: Hashable, Sendable {
    public var primaryServer: DomainName
    public var responsibleMailbox: DomainName
    public var serial: UInt32
    public var refresh: UInt32
    public var retry: UInt32
    public var expire: UInt32
    public var minimum: UInt32

    public init(
        primaryServer: DomainName, responsibleMailbox: DomainName, serial: UInt32, refresh: UInt32,
        retry: UInt32, expire: UInt32, minimum: UInt32
    ) {
        self.primaryServer = primaryServer
        self.responsibleMailbox = responsibleMailbox
        self.serial = serial
        self.refresh = refresh
        self.retry = retry
        self.expire = expire
        self.minimum = minimum
    }
}
