/// The TSIG HMAC algorithms supported (RFC 8945 section 6).
public enum TSIGAlgorithm: String, CaseIterable, Hashable, Sendable {
    case hmacMD5 = "hmac-md5"
    case hmacSHA1 = "hmac-sha1"
    case hmacSHA256 = "hmac-sha256"
    case hmacSHA384 = "hmac-sha384"
    case hmacSHA512 = "hmac-sha512"

    /// Accepts the configuration spelling (`hmac-sha256`) or the wire name
    /// (`hmac-md5.sig-alg.reg.int.`, the trailing dot optional as in any domain name), in any case.
    public init?(name: String) {
        let key = name.lowercased()
        guard
            let match = Self.allCases.first(where: {
                $0.rawValue == key || $0.wireName == key || $0.wireName == key + "."
            })
        else { return nil }
        self = match
    }

    /// The algorithm name carried in the TSIG record.
    public var wireName: String {
        switch self {
        case .hmacMD5: return "hmac-md5.sig-alg.reg.int."
        default: return rawValue + "."
        }
    }
}
