import Crypto

extension TSIGAlgorithm {
    /// The length of a full MAC.
    public var macSize: Int {
        switch self {
        case .hmacMD5: return 16
        case .hmacSHA1: return 20
        case .hmacSHA256: return 32
        case .hmacSHA384: return 48
        case .hmacSHA512: return 64
        }
    }

    /// The algorithm name as a domain name, as the TSIG record carries it.
    public var domainName: DomainName {
        // The wire names are constants that are valid domain names.
        try! DomainName(parsing: wireName)
    }

    /// The HMAC of `data` under `secret`.
    func authenticationCode(for data: [UInt8], secret: [UInt8]) -> [UInt8] {
        let key = SymmetricKey(data: secret)
        switch self {
        case .hmacMD5: return Array(HMAC<Insecure.MD5>.authenticationCode(for: data, using: key))
        case .hmacSHA1: return Array(HMAC<Insecure.SHA1>.authenticationCode(for: data, using: key))
        case .hmacSHA256: return Array(HMAC<SHA256>.authenticationCode(for: data, using: key))
        case .hmacSHA384: return Array(HMAC<SHA384>.authenticationCode(for: data, using: key))
        case .hmacSHA512: return Array(HMAC<SHA512>.authenticationCode(for: data, using: key))
        }
    }
}
