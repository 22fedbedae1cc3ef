import SNMP

/// What one node of the chaos fleet does when lbd polls it over SNMPv3.
///
/// Engine discovery is answered normally for every behaviour but `silent` and `unreachable`, so
/// that each fault reaches the GET of the load, where lbd has to judge it.
enum ChaosBehaviour: Hashable, Sendable, CustomStringConvertible {
    /// Healthy: an INTEGER load at the load OID.
    case load(Int32)
    /// A Response with this error-status (1 to 18) that still carries an INTEGER load of 1, so a
    /// daemon that ignored the status would choose the node.
    case errorStatus(Int)
    /// A Report of this usmStats counter instead of a Response.
    case report(USMError)
    /// A Response with this value at the load OID (a wrong type, or a text answer).
    case value(SNMPValue)
    /// A Response giving INTEGER 1 for another OID (sysUpTime.0) than the one asked.
    case wrongOID
    /// A good Response with load 1 under another msgID than the request's.
    case wrongMessageID
    /// A good Response with load 1 whose scoped PDU has another request-id than the request's.
    case wrongRequestID
    /// The first half of a good Response with load 1.
    case truncated
    /// Random bytes, some starting like a BER SEQUENCE.
    case garbage
    /// A good Response with this load sent many times, mixed with garbage.
    case flood(load: Int32)
    /// Reads requests and never answers.
    case silent
    /// No socket at all: the kernel answers ICMP port unreachable. Only at the fleet's start.
    case unreachable

    /// The INTEGER load 1 every faulty Response carries: the lowest usable load, so a faulty node
    /// taken at its word would always be chosen.
    static let tempting: Int32 = 1

    var description: String {
        switch self {
        case .load(let load): return "load \(load)"
        case .errorStatus(let status):
            return "error-status \(status) (\(SNMPErrorStatus(rawValue: status).map(\.description) ?? "?"))"
        case .report(let error): return "report \(error.reportOID)"
        case .value(let value):
            if case .octetString(let bytes) = value {
                return "STRING of \(bytes.count) bytes '\(String(decoding: bytes.prefix(40), as: UTF8.self))'"
            }
            return "value \(value.typeName)"
        case .wrongOID: return "wrong OID"
        case .wrongMessageID: return "wrong msgID"
        case .wrongRequestID: return "wrong request-id"
        case .truncated: return "truncated"
        case .garbage: return "garbage"
        case .flood(let load): return "flood of load \(load)"
        case .silent: return "silent"
        case .unreachable: return "unreachable"
        }
    }

    /// The load lbd must use for the node, or nil when the node must never be chosen.
    var usableLoad: Int? {
        switch self {
        case .load(let load), .flood(let load):
            return (1...99_999).contains(load) ? Int(load) : nil
        default: return nil
        }
    }
}
