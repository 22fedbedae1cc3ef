/// The USM authentication protocols supported (RFC 3414, RFC 7860).
///
/// SHA-224 is left out: swift-crypto does not provide it.
public enum AuthenticationProtocol: String, CaseIterable, Hashable, Sendable {
    case md5
    case sha1 = "sha"
    case sha256
    case sha384
    case sha512

    /// Accepts net-snmp's spellings (`MD5`, `SHA`, `SHA-1`, `SHA-256`, `SHA256`...).
    public init?(name: String) {
        let key = name.lowercased().filter { $0 != "-" }
        switch key {
        case "md5": self = .md5
        case "sha", "sha1": self = .sha1
        case "sha256": self = .sha256
        case "sha384": self = .sha384
        case "sha512": self = .sha512
        default: return nil
        }
    }

    /// The length of the truncated HMAC carried in msgAuthenticationParameters.
    public var digestLength: Int {
        switch self {
        case .md5, .sha1: return 12
        case .sha256: return 24
        case .sha384: return 32
        case .sha512: return 48
        }
    }
}

/// The USM privacy protocols supported (RFC 3826). DES is left out: swift-crypto lacks it.
public enum PrivacyProtocol: String, CaseIterable, Hashable, Sendable {
    case aes128 = "aes"

    /// Accepts net-snmp's spellings (`AES`, `AES128`, `AES-128`).
    public init?(name: String) {
        switch name.lowercased().filter { $0 != "-" } {
        case "aes", "aes128": self = .aes128
        default: return nil
        }
    }
}

/// The USM security levels (RFC 3414 section 3).
public enum SecurityLevel: String, CaseIterable, Hashable, Sendable {
    case noAuthNoPriv
    case authNoPriv
    case authPriv
}
