import DNS
import LBCore

extension StateStore {
    /// What the state directory says each of `aliases` publishes now: the addresses of its
    /// last recorded UPDATEs and of its A/AAAA records in the embedded zones, together.
    ///
    /// The engine starts from it, so that after a restart equal loads keep the members already
    /// in DNS and `max_changes` counts from what DNS really holds.
    public func publishedAddresses(of aliases: [String]) -> [String: Set<NodeAddress>] {
        var published: [String: Set<NodeAddress>] = [:]
        let wanted = Set(aliases)
        // An alias recorded but no longer asked for is left out.
        for publication in publications where wanted.contains(publication.alias) {
            let addresses = publication.addresses.compactMap(NodeAddress.init)
            published[publication.alias, default: []].formUnion(addresses)
        }
        let zones = Array(self.zones.values)
        guard !zones.isEmpty else { return published }
        for alias in aliases {
            guard let name = try? DomainName(alias: alias),
                // The deepest zone holding the name: an alias may be the apex of its own zone
                // inside another alias's.
                let zone = zones.filter({ name.isSubdomain(of: $0.origin) })
                    .max(by: { $0.origin.wireLabels.count < $1.origin.wireLabels.count }),
                let records = zone.records[name]
            else { continue }
            let addresses = records.values.joined().compactMap { NodeAddress($0.data) }
            if !addresses.isEmpty { published[alias, default: []].formUnion(addresses) }
        }
        return published
    }
}
