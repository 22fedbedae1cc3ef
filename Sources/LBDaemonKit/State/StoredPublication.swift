import LBCore

/// The addresses one publisher last put in one place for an alias (an RFC 2136 view, say), as
/// the state file keeps them.
public struct StoredPublication: Codable, Hashable, Sendable {
    /// The alias, lower-cased, without the trailing dot.
    public var alias: String
    /// The place: `PublicationResult.target` (`internal view`, `external view`...).
    public var target: String
    /// The addresses, canonical text, sorted.
    public var addresses: [String]
    /// The TTL published; nil when there is no address.
    public var ttl: Int?

    public init(alias: String, target: String, addresses: [NodeAddress], ttl: Int?) {
        self.alias = alias
        self.target = target
        self.addresses = NodeAddress.canonicalSet(addresses).map(\.description)
        self.ttl = addresses.isEmpty ? nil : ttl
    }

    /// The key one entry is kept under: one per alias and place.
    var key: String { "\(alias) \(target)" }
}
