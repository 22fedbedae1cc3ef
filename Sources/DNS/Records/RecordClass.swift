/// A resource record CLASS (RFC 1035 section 3.2.4). In an OPT record the same field holds the
/// UDP payload size, so every 16-bit value is representable.
public struct RecordClass: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16

    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let `in` = RecordClass(rawValue: 1)
    public static let ch = RecordClass(rawValue: 3)
    /// Used by UPDATE to delete one record or to require that an RRset or name is absent.
    public static let none = RecordClass(rawValue: 254)
    /// `*` in questions; in UPDATE, "every record" of an RRset or name.
    public static let any = RecordClass(rawValue: 255)

    /// The mnemonic, or `CLASSnnn` (RFC 3597 section 5) for the others.
    public var description: String {
        switch rawValue {
        case 1: return "IN"
        case 3: return "CH"
        case 254: return "NONE"
        case 255: return "ANY"
        default: return "CLASS\(rawValue)"
        }
    }
}
