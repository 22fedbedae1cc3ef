/// An entry of the question section; in an UPDATE, the zone section's single entry.
public struct Question: Hashable, Sendable {
    public var name: DomainName
    public var type: RecordType
    public var `class`: RecordClass

    public init(name: DomainName, type: RecordType, class: RecordClass = .in) {
        self.name = name
        self.type = type
        self.class = `class`
    }
}
