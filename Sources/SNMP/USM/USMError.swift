/// Why an SNMPv3 exchange failed at the security layer, whether found locally or reported by the
/// other side in a Report PDU (the usmStats counters of RFC 3414 section 5).
public enum USMError: Error, Hashable, Sendable, CustomStringConvertible {
    case unsupportedSecurityLevel
    case notInTimeWindow
    case unknownUserName
    case unknownEngineID
    case wrongDigest
    case decryptionError

    /// The usmStats counter OIDs a Report carries, `.1.3.6.1.6.3.15.1.1.N.0`.
    public static let reportOIDPrefix = OID("1.3.6.1.6.3.15.1.1")!

    /// The error a Report's first variable binding names; `nil` for another OID.
    public init?(reportOID: OID) {
        guard reportOID.hasPrefix(Self.reportOIDPrefix), reportOID.arcs.count == 11 else { return nil }
        switch reportOID.arcs[9] {
        case 1: self = .unsupportedSecurityLevel
        case 2: self = .notInTimeWindow
        case 3: self = .unknownUserName
        case 4: self = .unknownEngineID
        case 5: self = .wrongDigest
        case 6: self = .decryptionError
        default: return nil
        }
    }

    /// The usmStats counter OID this error is reported under.
    public var reportOID: OID {
        let index: UInt32
        switch self {
        case .unsupportedSecurityLevel: index = 1
        case .notInTimeWindow: index = 2
        case .unknownUserName: index = 3
        case .unknownEngineID: index = 4
        case .wrongDigest: index = 5
        case .decryptionError: index = 6
        }
        return OID(arcs: Self.reportOIDPrefix.arcs + [index, 0])!
    }

    public var description: String {
        switch self {
        case .unsupportedSecurityLevel: return "unsupported security level (usmStatsUnsupportedSecLevels)"
        case .notInTimeWindow: return "not in time window (usmStatsNotInTimeWindows)"
        case .unknownUserName: return "unknown user name (usmStatsUnknownUserNames)"
        case .unknownEngineID: return "unknown engine ID (usmStatsUnknownEngineIDs)"
        case .wrongDigest:
            return "wrong digest: authentication password or protocol mismatch (usmStatsWrongDigests)"
        case .decryptionError:
            return "decryption error: privacy password or protocol mismatch (usmStatsDecryptionErrors)"
        }
    }
}
