/// What changed between two consecutive versions of a zone, in the shape of an IXFR sequence
/// (RFC 1995 section 4): the records deleted from the old version and those added by the new.
public struct ZoneDifference: Hashable, Sendable {
    /// The SOA of the version before the change.
    public let oldSOA: ResourceRecord
    /// The SOA of the version after the change.
    public let newSOA: ResourceRecord
    /// Records of the old version that are not in the new one (SOA excluded).
    public let removed: [ResourceRecord]
    /// Records of the new version that were not in the old one (SOA excluded).
    public let added: [ResourceRecord]

    /// The difference that takes `old` to `new`.
    public init(from old: Zone, to new: Zone) {
        let oldRecords = old.recordsWithoutSOA
        let newRecords = new.recordsWithoutSOA
        let oldSet = Set(oldRecords)
        let newSet = Set(newRecords)
        oldSOA = old.soaRecord
        newSOA = new.soaRecord
        removed = oldRecords.filter { !newSet.contains($0) }
        added = newRecords.filter { !oldSet.contains($0) }
    }

    public var oldSerial: UInt32 {
        guard case .soa(let soa) = oldSOA.data else { return 0 }
        return soa.serial
    }

    public var newSerial: UInt32 {
        guard case .soa(let soa) = newSOA.data else { return 0 }
        return soa.serial
    }
}
