import DNS

/// One zone of the embedded server as the state file keeps it: its origin, its SOA (serial
/// included, so that a restarted lbd goes on from it) and its other records.
public struct StoredZone: Codable, Hashable, Sendable {
    public var origin: String
    public var serial: UInt32
    public var primaryServer: String
    public var responsibleMailbox: String
    public var refresh: UInt32
    public var retry: UInt32
    public var expire: UInt32
    public var minimum: UInt32
    public var soaTTL: UInt32
    /// Every record but the SOA, in the zone's stable order.
    public var records: [StoredRecord]

    /// The stored form of `zone`.
    init(_ zone: Zone) throws(StoredRecord.Failure) {
        origin = try StoredRecord.text(of: zone.origin)
        serial = zone.soa.serial
        primaryServer = try StoredRecord.text(of: zone.soa.primaryServer)
        responsibleMailbox = try StoredRecord.text(of: zone.soa.responsibleMailbox)
        refresh = zone.soa.refresh
        retry = zone.soa.retry
        expire = zone.soa.expire
        minimum = zone.soa.minimum
        soaTTL = zone.soaTTL
        records = try zone.recordsWithoutSOA.map { (record) throws(StoredRecord.Failure) in
            try StoredRecord(record)
        }
    }

    /// The zone this stands for, checked as any zone is (records inside the origin, no CNAME
    /// beside other data).
    func zone() throws(StoredRecord.Failure) -> Zone {
        let soa = StartOfAuthority(
            primaryServer: try StoredRecord.name(primaryServer),
            responsibleMailbox: try StoredRecord.name(responsibleMailbox), serial: serial, refresh: refresh,
            retry: retry, expire: expire, minimum: minimum)
        let origin = try StoredRecord.name(self.origin)
        let records = try self.records.map { (record) throws(StoredRecord.Failure) in try record.record() }
        do {
            return try Zone(origin: origin, soa: soa, soaTTL: soaTTL, records: records)
        } catch {
            throw .invalid("zone \(origin): \(error)")
        }
    }
}
