import Crypto

/// USM message authentication: HMAC over the whole message with the authentication field zeroed,
/// truncated (HMAC-MD5-96 and HMAC-SHA-96 of RFC 3414, HMAC-SHA-2 of RFC 7860).
public enum USMAuthentication {
    /// The truncated HMAC of `message` under the localised key.
    public static func code(
        for message: [UInt8], key: [UInt8], protocol auth: AuthenticationProtocol
    ) -> [UInt8] {
        let symmetricKey = SymmetricKey(data: key)
        let full: [UInt8]
        switch auth {
        case .md5: full = Array(HMAC<Insecure.MD5>.authenticationCode(for: message, using: symmetricKey))
        case .sha1: full = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: symmetricKey))
        case .sha256: full = Array(HMAC<SHA256>.authenticationCode(for: message, using: symmetricKey))
        case .sha384: full = Array(HMAC<SHA384>.authenticationCode(for: message, using: symmetricKey))
        case .sha512: full = Array(HMAC<SHA512>.authenticationCode(for: message, using: symmetricKey))
        }
        return Array(full.prefix(auth.digestLength))
    }

    /// Signs an encoded message whose authentication field holds `digestLength` zero octets.
    public static func sign(_ message: inout [UInt8], key: [UInt8], protocol auth: AuthenticationProtocol)
        throws(SNMPDecodingError)
    {
        let range = try SNMPv3Message.authenticationParametersRange(in: message)
        guard range.count == auth.digestLength else {
            throw .badValue("authentication placeholder", offset: range.lowerBound)
        }
        let digest = code(for: message, key: key, protocol: auth)
        message.replaceSubrange(range, with: digest)
    }

    /// Whether a received message carries the right code, compared in constant time.
    public static func verify(_ message: [UInt8], key: [UInt8], protocol auth: AuthenticationProtocol) -> Bool
    {
        guard let range = try? SNMPv3Message.authenticationParametersRange(in: message),
            range.count == auth.digestLength
        else { return false }
        let received = Array(message[range])
        var zeroed = message
        zeroed.replaceSubrange(range, with: [UInt8](repeating: 0, count: range.count))
        let expected = code(for: zeroed, key: key, protocol: auth)
        var difference: UInt8 = 0
        for (a, b) in zip(received, expected) { difference |= a ^ b }
        return difference == 0
    }
}
