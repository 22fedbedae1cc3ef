import DNS

/// The SOA and NS records of the zones `ZonePublisher` creates: every zone of the
/// `zonePerAlias` layout, and the shared zone when the store does not hold it yet.
public struct ZoneApexTemplate: Hashable, Sendable {
    /// The SOA MNAME: the name of the primary server (the embedded one).
    public var primaryServer: DomainName
    /// The SOA RNAME: the operators' mailbox, `hostmaster.example.org.` for hostmaster@example.org.
    public var responsibleMailbox: DomainName
    /// The servers the zone's NS records name.
    public var nameServers: [DomainName]
    public var refresh: UInt32
    public var retry: UInt32
    public var expire: UInt32
    /// The negative-caching TTL (RFC 2308).
    public var minimum: UInt32
    /// The TTL of the SOA and NS records.
    public var ttl: UInt32

    public init(
        primaryServer: DomainName, responsibleMailbox: DomainName, nameServers: [DomainName],
        refresh: UInt32 = 3600, retry: UInt32 = 600, expire: UInt32 = 86_400, minimum: UInt32 = 60,
        ttl: UInt32 = 3600
    ) {
        self.primaryServer = primaryServer
        self.responsibleMailbox = responsibleMailbox
        self.nameServers = nameServers
        self.refresh = refresh
        self.retry = retry
        self.expire = expire
        self.minimum = minimum
        self.ttl = ttl
    }

    /// The SOA with `serial`.
    func soa(serial: UInt32) -> StartOfAuthority {
        StartOfAuthority(
            primaryServer: primaryServer, responsibleMailbox: responsibleMailbox, serial: serial,
            refresh: refresh, retry: retry, expire: expire, minimum: minimum)
    }

    /// The NS records at `origin`.
    func nameServerRecords(at origin: DomainName) -> [ResourceRecord] {
        nameServers.map { ResourceRecord(name: origin, ttl: ttl, data: .ns($0)) }
    }

    /// Whether `zone` has this apex, whatever its serial and its other records.
    func isApex(of zone: Zone) -> Bool {
        zone.soa == soa(serial: zone.soa.serial) && zone.soaTTL == ttl
            && Set(zone.recordSet(zone.origin, .ns)) == Set(nameServerRecords(at: zone.origin))
    }
}
