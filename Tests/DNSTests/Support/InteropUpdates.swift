import DNS

/// The UPDATE the load balancer sends, and reading addresses back, for the interop tests.
enum InteropUpdates {
    /// Replaces the A and AAAA RRsets of the zone apex: delete both RRsets, add the new ones.
    static func replaceApex(a: [String], aaaa: [String]) -> DNSUpdate {
        var update = DNSUpdate(zone: PeerZone.name)
        update.deleteRRset(PeerZone.name, type: .a)
        update.deleteRRset(PeerZone.name, type: .aaaa)
        for address in a { update.add(PeerZone.name, ttl: 60, data: .a(IPv4Address(address)!)) }
        for address in aaaa { update.add(PeerZone.name, ttl: 60, data: .aaaa(IPv6Address(address)!)) }
        return update
    }

    /// The A and AAAA addresses of the answer section, as text, sorted.
    static func addresses(_ message: DNSMessage) -> [String] {
        message.answers.compactMap { record -> String? in
            switch record.data {
            case .a(let address): return address.description
            case .aaaa(let address): return address.description
            default: return nil
            }
        }.sorted()
    }
}
