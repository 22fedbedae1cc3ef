/// The 4-bit kind of a message (RFC 1035, RFC 1996 NOTIFY, RFC 2136 UPDATE).
public struct Opcode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// Only the low 4 bits are used.
    public let rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let query = Opcode(rawValue: 0)
    public static let notify = Opcode(rawValue: 4)
    public static let update = Opcode(rawValue: 5)

    public var description: String {
        switch rawValue {
        case 0: return "QUERY"
        case 4: return "NOTIFY"
        case 5: return "UPDATE"
        default: return "OPCODE\(rawValue)"
        }
    }
}
