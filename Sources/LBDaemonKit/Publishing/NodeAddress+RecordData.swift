import DNS
import LBCore

extension NodeAddress {
    /// The address an A or AAAA record holds; nil for any other record.
    init?(_ data: RecordData) {
        switch data {
        case .a(let address):
            self = .ipv4(address.bytes.reduce(0) { $0 << 8 | UInt32($1) })
        case .aaaa(let address):
            let high = address.bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
            let low = address.bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
            self = .ipv6(high: high, low: low)
        default:
            return nil
        }
    }

    /// The A or AAAA record data that publishes this address.
    var recordData: RecordData {
        switch self {
        case .ipv4(let value):
            return .a(
                IPv4Address(
                    UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
                    UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)))
        case .ipv6(let high, let low):
            let bytes = (0..<16).map { index in
                let word = index < 8 ? high : low
                return UInt8(truncatingIfNeeded: word >> (UInt64(7 - index % 8) * 8))
            }
            // Sixteen octets by construction, so the failable initialiser always succeeds.
            return .aaaa(IPv6Address(bytes: bytes)!)
        }
    }
}
