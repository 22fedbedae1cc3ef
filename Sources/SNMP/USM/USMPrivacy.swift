import Crypto
import _CryptoExtras

/// USM privacy with AES-128 in CFB mode (RFC 3826): the IV is the engine boots and time followed
/// by a 64-bit salt, which travels as msgPrivacyParameters.
public enum USMPrivacy {
    public enum Failure: Error, Hashable, Sendable {
        /// msgPrivacyParameters is not the 8-octet salt.
        case badSalt
        /// The localised key is shorter than 16 octets.
        case shortKey
        case cryptoFailure
    }

    public static func encrypt(
        _ plaintext: [UInt8], key: [UInt8], engineBoots: Int32, engineTime: Int32, salt: [UInt8]
    ) throws(Failure) -> [UInt8] {
        try run(
            plaintext, key: key, engineBoots: engineBoots, engineTime: engineTime, salt: salt, encrypt: true)
    }

    public static func decrypt(
        _ ciphertext: [UInt8], key: [UInt8], engineBoots: Int32, engineTime: Int32, salt: [UInt8]
    ) throws(Failure) -> [UInt8] {
        try run(
            ciphertext, key: key, engineBoots: engineBoots, engineTime: engineTime, salt: salt, encrypt: false
        )
    }

    private static func run(
        _ input: [UInt8], key: [UInt8], engineBoots: Int32, engineTime: Int32, salt: [UInt8], encrypt: Bool
    ) throws(Failure) -> [UInt8] {
        guard salt.count == 8 else { throw .badSalt }
        guard key.count >= 16 else { throw .shortKey }
        var iv: [UInt8] = []
        iv.reserveCapacity(16)
        for value in [UInt32(bitPattern: engineBoots), UInt32(bitPattern: engineTime)] {
            iv += [
                UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF),
            ]
        }
        iv += salt
        do {
            let symmetricKey = SymmetricKey(data: key.prefix(16))
            let cfbIV = try AES._CFB.IV(ivBytes: iv)
            let output =
                encrypt
                ? try AES._CFB.encrypt(input, using: symmetricKey, iv: cfbIV)
                : try AES._CFB.decrypt(input, using: symmetricKey, iv: cfbIV)
            return Array(output)
        } catch {
            throw .cryptoFailure
        }
    }
}
