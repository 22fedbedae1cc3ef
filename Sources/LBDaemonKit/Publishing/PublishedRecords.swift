import DNS
import LBCore

/// The A and AAAA records of an alias as one place shows them, or as a publication wants them,
/// in the canonical form the publishers compare.
///
/// Invariant: `addresses` is a canonical set (sorted, no duplicates), and `ttl` is nil exactly
/// when there is no address, so two values are equal exactly when a resolver would see the same.
struct PublishedRecords: Hashable, Sendable {
    var addresses: [NodeAddress]
    var ttl: Int?
    /// Whether the records disagree on the TTL, which no publication asks for: such records
    /// never equal a publication's, so they get rewritten.
    var hasMixedTTLs = false

    /// What `publication` asks for.
    init(_ publication: Publication) {
        addresses = NodeAddress.canonicalSet(publication.addresses)
        ttl = addresses.isEmpty ? nil : Int(Self.wireTTL(publication.ttl))
    }

    /// What `records` hold at `name`: its A and AAAA records, other names and types ignored. Of
    /// TTLs that disagree (RFC 2181 section 5.2 forbids it, but the A and AAAA RRsets may still
    /// differ) the smallest is reported.
    init(_ records: some Sequence<ResourceRecord>, at name: DomainName) {
        var addresses: [NodeAddress] = []
        var ttls: [Int] = []
        for record in records where record.name == name {
            guard let address = NodeAddress(record.data) else { continue }
            addresses.append(address)
            ttls.append(Int(record.ttl))
        }
        self.addresses = NodeAddress.canonicalSet(addresses)
        self.ttl = ttls.min()
        self.hasMixedTTLs = Set(ttls).count > 1
    }

    /// The records that publish these addresses at `name`, A before AAAA.
    func records(at name: DomainName) -> [ResourceRecord] {
        addresses.map { ResourceRecord(name: name, ttl: Self.wireTTL(ttl ?? 0), data: $0.recordData) }
    }

    /// A TTL as DNS carries it: RFC 2181 section 8 limits it to 2^31 - 1.
    static func wireTTL(_ ttl: Int) -> UInt32 {
        UInt32(min(max(ttl, 0), Int(Int32.max)))
    }
}
