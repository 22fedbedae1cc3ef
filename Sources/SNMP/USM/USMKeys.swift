import Crypto
import Foundation

/// USM key derivation: password to key, and key localisation to an engine (RFC 3414 section 2.6
/// and appendix A.2, RFC 7860 section 4.2.2 for the SHA-2 family).
public enum USMKeys {
    /// `Ku`: the password repeated over one megabyte, hashed. Costly (~1 MB of hashing), so
    /// callers cache it per user.
    public static func passwordToKey(_ password: String, protocol auth: AuthenticationProtocol) -> [UInt8] {
        let passwordBytes = Array(password.utf8)
        precondition(!passwordBytes.isEmpty, "an empty USM password has no key")
        var hasher = AnyHasher(auth)
        let total = 1_048_576
        var block = [UInt8](repeating: 0, count: 64)
        var index = 0
        var done = 0
        while done < total {
            for position in 0..<64 {
                block[position] = passwordBytes[index % passwordBytes.count]
                index += 1
            }
            hasher.update(block)
            done += 64
        }
        return hasher.finalize()
    }

    /// `Kul`: `Ku` bound to one engine, `H(Ku || engineID || Ku)`.
    public static func localize(_ key: [UInt8], to engineID: [UInt8], protocol auth: AuthenticationProtocol)
        -> [UInt8]
    {
        var hasher = AnyHasher(auth)
        hasher.update(key)
        hasher.update(engineID)
        hasher.update(key)
        return hasher.finalize()
    }
}

/// One of the hash functions USM uses, chosen at run time.
struct AnyHasher {
    private enum State {
        case md5(Insecure.MD5)
        case sha1(Insecure.SHA1)
        case sha256(SHA256)
        case sha384(SHA384)
        case sha512(SHA512)
    }

    private var state: State

    init(_ auth: AuthenticationProtocol) {
        switch auth {
        case .md5: state = .md5(Insecure.MD5())
        case .sha1: state = .sha1(Insecure.SHA1())
        case .sha256: state = .sha256(SHA256())
        case .sha384: state = .sha384(SHA384())
        case .sha512: state = .sha512(SHA512())
        }
    }

    mutating func update(_ bytes: [UInt8]) {
        switch state {
        case .md5(var hash):
            hash.update(data: bytes)
            state = .md5(hash)
        case .sha1(var hash):
            hash.update(data: bytes)
            state = .sha1(hash)
        case .sha256(var hash):
            hash.update(data: bytes)
            state = .sha256(hash)
        case .sha384(var hash):
            hash.update(data: bytes)
            state = .sha384(hash)
        case .sha512(var hash):
            hash.update(data: bytes)
            state = .sha512(hash)
        }
    }

    func finalize() -> [UInt8] {
        switch state {
        case .md5(let hash): return Array(hash.finalize())
        case .sha1(let hash): return Array(hash.finalize())
        case .sha256(let hash): return Array(hash.finalize())
        case .sha384(let hash): return Array(hash.finalize())
        case .sha512(let hash): return Array(hash.finalize())
        }
    }
}
