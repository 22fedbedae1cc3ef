/// The objects an agent serves and the functions that give their current values.
///
/// Invariant: `oids` is sorted in OID order and has no duplicates, so GETNEXT is a binary search.
struct AgentObjectTable: Sendable {
    typealias Provider = @Sendable () async throws -> SNMPValue

    private(set) var oids: [OID] = []
    private var providers: [OID: Provider] = [:]

    var isEmpty: Bool { oids.isEmpty }

    /// Adds `oid`, or replaces its provider if it is already there.
    mutating func register(_ oid: OID, provider: @escaping Provider) {
        if providers.updateValue(provider, forKey: oid) == nil {
            oids.insert(oid, at: firstIndex(after: oid))
        }
    }

    /// Removes `oid`; nothing happens if it was not registered.
    mutating func unregister(_ oid: OID) {
        guard providers.removeValue(forKey: oid) != nil, let index = oids.firstIndex(of: oid) else { return }
        oids.remove(at: index)
    }

    func provider(for oid: OID) -> Provider? {
        providers[oid]
    }

    /// The index in `oids` of the first OID after `oid` (`oids.count` past the end).
    func firstIndex(after oid: OID) -> Int {
        var low = 0
        var high = oids.count
        while low < high {
            let middle = (low + high) / 2
            if oid < oids[middle] {
                high = middle
            } else {
                low = middle + 1
            }
        }
        return low
    }

    /// Whether `oid` lies strictly under a registered object, so that a GET for it names a missing
    /// instance (noSuchInstance) rather than a missing object (noSuchObject).
    func hasObject(enclosing oid: OID) -> Bool {
        oids.contains { $0.arcs.count < oid.arcs.count && oid.hasPrefix($0) }
    }
}
