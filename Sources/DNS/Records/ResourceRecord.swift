/// A resource record (RFC 1035 section 4.1.3). Its TYPE comes from its `data`, so the two always
/// agree; the class and TTL are free, as OPT and UPDATE give them other meanings.
public struct ResourceRecord: Hashable, Sendable {
    public var name: DomainName
    public var `class`: RecordClass
    public var ttl: UInt32
    public var data: RecordData

    public init(name: DomainName, class: RecordClass = .in, ttl: UInt32, data: RecordData) {
        self.name = name
        self.class = `class`
        self.ttl = ttl
        self.data = data
    }

    public var type: RecordType { data.type }
}
