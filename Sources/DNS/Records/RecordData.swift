/// The RDATA of a resource record, typed for the types this library knows. Every value knows
/// its record type, so a record's TYPE and RDATA can never disagree.
public enum RecordData: Hashable, Sendable {
    case a(IPv4Address)
    case aaaa(IPv6Address)
    case ns(DomainName)
    case cname(DomainName)
    case ptr(DomainName)
    case soa(StartOfAuthority)
    /// One or more character-strings of up to 255 octets each.
    case txt([[UInt8]])
    /// The options of an OPT record; its other fields live in the record's class and TTL.
    case opt([EDNSOption])
    case tsig(TSIGRecord)
    /// Zero-length RDATA, as UPDATE uses in prerequisites and deletions. Zero-length RDATA of
    /// any type but OPT decodes to this.
    case empty(RecordType)
    /// RDATA of a type without a layout here, kept octet for octet (RFC 3597).
    case unknown(RecordType, [UInt8])

    public var type: RecordType {
        switch self {
        case .a: return .a
        case .aaaa: return .aaaa
        case .ns: return .ns
        case .cname: return .cname
        case .ptr: return .ptr
        case .soa: return .soa
        case .txt: return .txt
        case .opt: return .opt
        case .tsig: return .tsig
        case .empty(let type): return type
        case .unknown(let type, _): return type
        }
    }

    /// A TXT record holding `text`, split into 255-octet strings.
    public static func text(_ text: String) -> RecordData {
        let octets = Array(text.utf8)
        guard !octets.isEmpty else { return .txt([[]]) }
        return .txt(
            stride(from: 0, to: octets.count, by: 255).map { Array(octets[$0..<min($0 + 255, octets.count)]) }
        )
    }
}
