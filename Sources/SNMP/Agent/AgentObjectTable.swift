/// The objects an agent serves and the functions that give their current values.
///
/// Invariant: `oids` is sorted in OID order and has no duplicates, so GETNEXT is a binary search.
struct AgentObjectTable: Sendable {
    typealias Provider = @Sendable () async throws -> SNMPValue
    /// The value when it is at hand without waiting (a constant, a cached answer), or `nil` when
    /// the provider must be called.
    typealias Immediate = @Sendable () -> SNMPValue?

    private struct Entry {
        var provider: Provider
        var immediate: Immediate?
    }

    /// What a GET for an OID finds without awaiting anything.
    enum ImmediateLookup {
        /// The OID is not registered.
        case unregistered
        /// Registered, but the provider has to be called.
        case pending
        case value(SNMPValue)
    }

    private(set) var oids: [OID] = []
    private var entries: [OID: Entry] = [:]

    var isEmpty: Bool { oids.isEmpty }

    /// Adds `oid`, or replaces its provider if it is already there.
    mutating func register(_ oid: OID, immediate: Immediate? = nil, provider: @escaping Provider) {
        if entries.updateValue(Entry(provider: provider, immediate: immediate), forKey: oid) == nil {
            oids.insert(oid, at: firstIndex(after: oid))
        }
    }

    /// Removes `oid`; nothing happens if it was not registered.
    mutating func unregister(_ oid: OID) {
        guard entries.removeValue(forKey: oid) != nil, let index = oids.firstIndex(of: oid) else { return }
        oids.remove(at: index)
    }

    func provider(for oid: OID) -> Provider? {
        entries[oid]?.provider
    }

    /// The value of `oid` if it can be had without awaiting its provider.
    func immediateValue(for oid: OID) -> ImmediateLookup {
        guard let entry = entries[oid] else { return .unregistered }
        guard let value = entry.immediate?() else { return .pending }
        return .value(value)
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
