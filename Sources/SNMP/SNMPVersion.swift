/// The SNMP message versions this library speaks.
public enum SNMPVersion: String, CaseIterable, Hashable, Sendable {
    case v1
    case v2c
    case v3

    /// The value of the `version` field of a message (RFC 3416, 3412).
    public var wireValue: Int {
        switch self {
        case .v1: return 0
        case .v2c: return 1
        case .v3: return 3
        }
    }
}
