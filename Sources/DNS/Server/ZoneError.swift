/// Why a set of records cannot form a `Zone`.
public enum ZoneError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A record's owner is not the origin or a name below it.
    case outOfZone(DomainName)
    /// SOA records are given to `Zone` separately: a zone has exactly one, at its apex.
    case soaInRecords(DomainName)
    /// A record of a type that cannot be stored in a zone (OPT, TSIG, or empty UPDATE RDATA).
    case unsupportedRecord(DomainName, RecordType)
    /// A name with a CNAME record also has other data (RFC 1034 section 3.6.2).
    case cnameAndOtherData(DomainName)

    public var description: String {
        switch self {
        case .outOfZone(let name): return "\(name) is not in the zone"
        case .soaInRecords(let name): return "SOA record at \(name) given among the records"
        case .unsupportedRecord(let name, let type): return "\(type) record at \(name) cannot be in a zone"
        case .cnameAndOtherData(let name): return "\(name) has a CNAME and other records"
        }
    }
}
