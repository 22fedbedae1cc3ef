/// Builds an RFC 2136 UPDATE message for one zone: prerequisites go to the answer section and
/// changes to the authority section, each with the class and TTL that RFC 2136 sections 2.4
/// and 2.5 give the operation. The zone class is IN.
public struct DNSUpdate: Hashable, Sendable {
    public let zone: DomainName
    public var id: UInt16
    public private(set) var prerequisites: [ResourceRecord] = []
    public private(set) var updates: [ResourceRecord] = []

    public init(zone: DomainName, id: UInt16 = 0) {
        self.zone = zone
        self.id = id
    }

    // MARK: Prerequisites (RFC 2136 section 2.4)

    /// Requires that `name` has an RRset of `type`, whatever its records (section 2.4.1).
    public mutating func requireRRsetExists(_ name: DomainName, type: RecordType) {
        prerequisites.append(ResourceRecord(name: name, class: .any, ttl: 0, data: .empty(type)))
    }

    /// Requires that `name` has an RRset of exactly these records (section 2.4.2); all of `data`
    /// must have the same type.
    public mutating func requireRRset(_ name: DomainName, equals data: [RecordData]) {
        for item in data {
            prerequisites.append(ResourceRecord(name: name, class: .in, ttl: 0, data: item))
        }
    }

    /// Requires that `name` has no RRset of `type` (section 2.4.3).
    public mutating func requireRRsetDoesNotExist(_ name: DomainName, type: RecordType) {
        prerequisites.append(ResourceRecord(name: name, class: .none, ttl: 0, data: .empty(type)))
    }

    /// Requires that `name` owns at least one record (section 2.4.4).
    public mutating func requireNameInUse(_ name: DomainName) {
        prerequisites.append(ResourceRecord(name: name, class: .any, ttl: 0, data: .empty(.any)))
    }

    /// Requires that `name` owns no record (section 2.4.5).
    public mutating func requireNameNotInUse(_ name: DomainName) {
        prerequisites.append(ResourceRecord(name: name, class: .none, ttl: 0, data: .empty(.any)))
    }

    // MARK: Updates (RFC 2136 section 2.5)

    /// Adds a record to an RRset (section 2.5.1).
    public mutating func add(_ name: DomainName, ttl: UInt32, data: RecordData) {
        updates.append(ResourceRecord(name: name, class: .in, ttl: ttl, data: data))
    }

    /// Deletes the RRset of `type` at `name` (section 2.5.2).
    public mutating func deleteRRset(_ name: DomainName, type: RecordType) {
        updates.append(ResourceRecord(name: name, class: .any, ttl: 0, data: .empty(type)))
    }

    /// Deletes every RRset at `name` (section 2.5.3).
    public mutating func deleteAllRRsets(_ name: DomainName) {
        updates.append(ResourceRecord(name: name, class: .any, ttl: 0, data: .empty(.any)))
    }

    /// Deletes one record from an RRset (section 2.5.4).
    public mutating func delete(_ name: DomainName, data: RecordData) {
        updates.append(ResourceRecord(name: name, class: .none, ttl: 0, data: data))
    }

    /// The UPDATE message: zone section `zone SOA IN`, then prerequisites and updates.
    public var message: DNSMessage {
        DNSMessage(
            id: id, opcode: .update, questions: [Question(name: zone, type: .soa, class: .in)],
            answers: prerequisites, authorities: updates)
    }
}
