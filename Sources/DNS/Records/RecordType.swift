/// A resource record TYPE (RFC 1035 section 3.2.2). Any 16-bit value is a valid type: the ones
/// this library has no layout for are carried as opaque RDATA (RFC 3597).
public struct RecordType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16

    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let a = RecordType(rawValue: 1)
    public static let ns = RecordType(rawValue: 2)
    public static let cname = RecordType(rawValue: 5)
    public static let soa = RecordType(rawValue: 6)
    public static let ptr = RecordType(rawValue: 12)
    public static let mx = RecordType(rawValue: 15)
    public static let txt = RecordType(rawValue: 16)
    public static let aaaa = RecordType(rawValue: 28)
    public static let srv = RecordType(rawValue: 33)
    public static let opt = RecordType(rawValue: 41)
    public static let tsig = RecordType(rawValue: 250)
    public static let ixfr = RecordType(rawValue: 251)
    public static let axfr = RecordType(rawValue: 252)
    /// `*` in questions; in UPDATE prerequisites and deletions, "every type".
    public static let any = RecordType(rawValue: 255)

    private static let mnemonics: [UInt16: String] = [
        1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX", 16: "TXT", 28: "AAAA", 33: "SRV",
        41: "OPT", 250: "TSIG", 251: "IXFR", 252: "AXFR", 255: "ANY",
    ]

    /// The mnemonic, or `TYPEnnn` (RFC 3597 section 5) for the others.
    public var description: String { Self.mnemonics[rawValue] ?? "TYPE\(rawValue)" }
}
