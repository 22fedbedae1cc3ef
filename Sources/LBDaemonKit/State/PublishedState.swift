/// What lbd last published, as kept in the state directory (`published-state.json`): the zones
/// of the embedded server, SOA serials included, and the address set last published per alias
/// and place for the RFC 2136 publishers. A restarted lbd serves the zones from it before its
/// first evaluation, and keeps their serials growing.
///
/// The file is versioned JSON: a reader refuses a `version` it does not know rather than guess.
public struct PublishedState: Codable, Hashable, Sendable {
    /// The format this lbd writes and reads.
    public static let currentVersion = 1

    public var version: Int
    /// The zones of the embedded server, by origin order.
    public var zones: [StoredZone]
    /// The last address set published per alias and place (`internal view`...), by alias order.
    public var publications: [StoredPublication]

    public init(zones: [StoredZone] = [], publications: [StoredPublication] = []) {
        self.version = Self.currentVersion
        self.zones = zones
        self.publications = publications
    }
}
