/// Why bytes received from the network are not a valid SNMP message. Decoding never reads past
/// the datagram and never allocates more than the datagram holds.
public enum SNMPDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The data ends before the element that started at `offset` does.
    case truncated(offset: Int)
    /// A length field is malformed (indefinite, longer than 4 octets, or larger than the data).
    case badLength(offset: Int)
    /// An element has another type than the position requires.
    case unexpectedTag(expected: UInt8, found: UInt8, offset: Int)
    /// An INTEGER, OID or other value is not validly encoded, or out of range.
    case badValue(String, offset: Int)
    /// Bytes are left after the message.
    case trailingBytes(count: Int)
    /// Nested deeper than any SNMP message is.
    case tooDeep
    /// A version this library does not speak.
    case unsupportedVersion(Int)
    /// A PDU type this library does not know.
    case unknownPDUType(UInt8)

    public var description: String {
        switch self {
        case .truncated(let offset): return "message truncated (element at byte \(offset))"
        case .badLength(let offset): return "bad BER length at byte \(offset)"
        case .unexpectedTag(let expected, let found, let offset):
            return
                "expected tag 0x\(String(expected, radix: 16)) at byte \(offset), found 0x\(String(found, radix: 16))"
        case .badValue(let what, let offset): return "bad \(what) at byte \(offset)"
        case .trailingBytes(let count): return "\(count) unexpected byte(s) after the message"
        case .tooDeep: return "message nested too deeply"
        case .unsupportedVersion(let version): return "unsupported SNMP version \(version)"
        case .unknownPDUType(let tag): return "unknown PDU type 0x\(String(tag, radix: 16))"
        }
    }
}
