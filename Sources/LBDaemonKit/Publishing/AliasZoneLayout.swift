import DNS

/// Where an alias's records live in the embedded server's zones.
public enum AliasZoneLayout: Hashable, Sendable {
    /// Each alias is the apex of a zone of its own, as golbd's delegated zones: the zone has
    /// the configured SOA and NS records and the alias's A and AAAA records at the apex.
    case zonePerAlias
    /// Every alias is a name inside this one zone (say `lb.example.org.`), whose other records
    /// stay as they are; an alias outside it cannot be published.
    case sharedZone(DomainName)

    /// The origin of the zone holding `alias`, or nil when the layout has no place for it.
    func origin(of alias: DomainName) -> DomainName? {
        switch self {
        case .zonePerAlias:
            return alias
        case .sharedZone(let origin):
            return alias.isSubdomain(of: origin) ? origin : nil
        }
    }
}
