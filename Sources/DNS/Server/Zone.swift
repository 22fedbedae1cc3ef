/// One version of an authoritative zone: its origin, its SOA, and its records by owner name and
/// type. A value: a new version is a new `Zone`, handed to `ZoneStore.replace(_:)`, so readers
/// always see a whole version and never one being edited.
public struct Zone: Hashable, Sendable {
    /// The apex name.
    public let origin: DomainName
    /// The SOA RDATA; `soa.serial` is the version number.
    public let soa: StartOfAuthority
    /// The TTL of the SOA record itself.
    public let soaTTL: UInt32
    /// The records other than the SOA, by owner name then type, in the order given.
    public let records: [DomainName: [RecordType: [ResourceRecord]]]
    /// Every name that exists in the zone: owners and their ancestors up to the origin, so an
    /// empty non-terminal answers NODATA and not NXDOMAIN (RFC 8020).
    private let existingNames: Set<DomainName>

    /// A zone version from `records`, which must all be at or below `origin`, must not include
    /// the SOA (given as `soa`), and may not put a CNAME beside other data.
    public init(
        origin: DomainName, soa: StartOfAuthority, soaTTL: UInt32 = 3600, records: [ResourceRecord]
    ) throws(ZoneError) {
        var table: [DomainName: [RecordType: [ResourceRecord]]] = [:]
        var names: Set<DomainName> = [origin]
        // A set beside the table keeps building linear in the number of records.
        var seen: Set<ResourceRecord> = []
        for record in records {
            guard record.name.isSubdomain(of: origin) else { throw .outOfZone(record.name) }
            switch record.data {
            case .soa: throw .soaInRecords(record.name)
            case .opt, .tsig, .empty: throw .unsupportedRecord(record.name, record.type)
            default: break
            }
            // Identical records are one record (RFC 2181 section 5): keep the first.
            guard seen.insert(record).inserted else { continue }
            table[record.name, default: [:]][record.type, default: []].append(record)
            // A name already known has had its ancestors inserted with it.
            guard !names.contains(record.name) else { continue }
            let depth = record.name.wireLabels.count - origin.wireLabels.count
            for drop in 0..<depth { names.insert(record.name.droppingFirstLabels(drop)) }
        }
        for (name, types) in table where types[.cname] != nil && types.count > 1 {
            throw .cnameAndOtherData(name)
        }
        self.origin = origin
        self.soa = soa
        self.soaTTL = soaTTL
        self.records = table
        self.existingNames = names
    }

    /// The SOA as a record at the apex.
    public var soaRecord: ResourceRecord {
        ResourceRecord(name: origin, ttl: soaTTL, data: .soa(soa))
    }

    /// The SOA record for negative answers: its TTL is min(SOA TTL, SOA minimum) (RFC 2308
    /// section 3), so a resolver caches the absence no longer than the zone allows.
    public var negativeSOARecord: ResourceRecord {
        ResourceRecord(name: origin, ttl: min(soaTTL, soa.minimum), data: .soa(soa))
    }

    /// The same zone with another serial.
    public func withSerial(_ serial: UInt32) -> Zone {
        var soa = self.soa
        soa.serial = serial
        return Zone(origin: origin, soa: soa, soaTTL: soaTTL, records: records, existingNames: existingNames)
    }

    /// The parts of a zone already checked by the public initialiser.
    private init(
        origin: DomainName, soa: StartOfAuthority, soaTTL: UInt32,
        records: [DomainName: [RecordType: [ResourceRecord]]], existingNames: Set<DomainName>
    ) {
        self.origin = origin
        self.soa = soa
        self.soaTTL = soaTTL
        self.records = records
        self.existingNames = existingNames
    }

    /// The records of `type` owned by `name`; the SOA is among them at the apex.
    public func recordSet(_ name: DomainName, _ type: RecordType) -> [ResourceRecord] {
        if type == .soa { return name == origin ? [soaRecord] : [] }
        return records[name]?[type] ?? []
    }

    /// Every record owned by `name`, SOA first at the apex.
    public func allRecords(at name: DomainName) -> [ResourceRecord] {
        let head = name == origin ? [soaRecord] : []
        let types = (records[name] ?? [:]).keys.sorted { $0.rawValue < $1.rawValue }
        return head + types.flatMap { records[name]?[$0] ?? [] }
    }

    /// Whether `name` exists: it owns records or has descendants that do.
    public func contains(_ name: DomainName) -> Bool {
        existingNames.contains(name)
    }

    /// Every record but the SOA, in a stable order (owner names, then types): what a transfer
    /// sends between the two SOA records.
    public var recordsWithoutSOA: [ResourceRecord] {
        records.keys.map { ($0.normalised, $0) }.sorted { $0.0 < $1.0 }.map(\.1).flatMap { name in
            let types = records[name] ?? [:]
            return types.keys.sorted { $0.rawValue < $1.rawValue }.flatMap { types[$0] ?? [] }
        }
    }

    /// Whether `other` holds the same data, ignoring the serial: replacing one by the other is no
    /// change, so it needs no new serial.
    public func hasSameContent(as other: Zone) -> Bool {
        var soa = other.soa
        soa.serial = self.soa.serial
        return origin == other.origin && self.soa == soa && soaTTL == other.soaTTL
            && records == other.records
    }
}
