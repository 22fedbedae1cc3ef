import Crypto
import Synchronization

/// A configured USM user's keys localised to the agent's engine, and its HMAC already keyed:
/// computed once, not for every message as `USMKeyCache` look-ups and `USMAuthentication` do
/// (each hashes the passwords and the engine ID, and keying an HMAC costs two hash blocks).
struct AgentUserKeys: Sendable {
    /// The user as configured, at its own level.
    let user: USMUser
    let keys: LocalizedKeys
    /// The keyed HMAC, when the user authenticates and has a key.
    let digest: AgentDigest?

    init(user: USMUser, keyCache: USMKeyCache, engineID: [UInt8]) {
        self.user = user
        keys = keyCache.keys(for: user, engineID: engineID)
        if let authentication = user.authentication, let authKey = keys.authentication {
            digest = AgentDigest(key: authKey, protocol: authentication.method)
        } else {
            digest = nil
        }
    }

    /// The keys of this user cut down to `restricted` (the user at a lower level): what
    /// `USMKeyCache.keys(for: restricted, ...)` gives. `nil` when `restricted` is not this user
    /// with fewer protocols.
    func keys(for restricted: USMUser) -> LocalizedKeys? {
        guard restricted.name == user.name,
            restricted.authentication == nil || restricted.authentication == user.authentication,
            restricted.privacy == nil || restricted.privacy == user.privacy
        else { return nil }
        guard restricted.authentication != nil else { return LocalizedKeys() }
        return LocalizedKeys(
            authentication: keys.authentication, privacy: restricted.privacy == nil ? nil : keys.privacy)
    }
}

/// The agent's `AgentUserKeys`, by user name, made on first use (or by `warm`).
final class AgentUserKeyTable: Sendable {
    private let users: [[UInt8]: USMUser]
    private let keyCache: USMKeyCache
    private let engineID: [UInt8]
    private let table = Mutex<[[UInt8]: AgentUserKeys]>([:])

    init(users: [[UInt8]: USMUser], keyCache: USMKeyCache, engineID: [UInt8]) {
        self.users = users
        self.keyCache = keyCache
        self.engineID = engineID
    }

    /// The keys of the configured user named `name`, or nil when there is none.
    func keys(named name: [UInt8]) -> AgentUserKeys? {
        if let found = table.withLock({ $0[name] }) { return found }
        guard let user = users[name] else { return nil }
        // Outside the lock: localising may hash a megabyte per password.
        let made = AgentUserKeys(user: user, keyCache: keyCache, engineID: engineID)
        table.withLock { $0[name] = made }
        return made
    }

    /// Makes every user's keys now, so that the first request does not pay for them.
    func warm() {
        for name in users.keys { _ = keys(named: name) }
    }
}

/// An HMAC keyed once with a user's localised key, truncated as USM wants (RFC 3414, RFC 7860);
/// the same codes as `USMAuthentication`. The inner and outer hashes are kept after their key
/// block (RFC 2104), so a code costs the message's blocks and one more for the outer hash.
struct AgentDigest: Sendable {
    private enum Keyed: Sendable {
        case md5(Pads<Insecure.MD5>)
        case sha1(Pads<Insecure.SHA1>)
        case sha256(Pads<SHA256>)
        case sha384(Pads<SHA384>)
        case sha512(Pads<SHA512>)
    }

    /// The hash functions with the key XOR ipad and XOR opad already hashed.
    private struct Pads<H: HashFunction>: Sendable {
        var inner = H()
        var outer = H()

        init(key: [UInt8]) {
            var block = key.count > H.blockByteCount ? Array(H.hash(data: key)) : key
            block += [UInt8](repeating: 0, count: H.blockByteCount - block.count)
            block.map { $0 ^ 0x36 }.withUnsafeBytes { inner.update(bufferPointer: $0) }
            block.map { $0 ^ 0x5C }.withUnsafeBytes { outer.update(bufferPointer: $0) }
        }

        func code(_ bytes: UnsafeRawBufferPointer, zeroing zeroed: Range<Int>, length: Int) -> [UInt8] {
            var inner = self.inner
            inner.update(bufferPointer: UnsafeRawBufferPointer(rebasing: bytes[..<zeroed.lowerBound]))
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(zeroed.count, 1)) { zeros in
                zeros.initialize(repeating: 0)
                inner.update(
                    bufferPointer: UnsafeRawBufferPointer(
                        rebasing: UnsafeRawBufferPointer(zeros)[..<zeroed.count]))
            }
            inner.update(bufferPointer: UnsafeRawBufferPointer(rebasing: bytes[zeroed.upperBound...]))
            var outer = self.outer
            inner.finalize().withUnsafeBytes { outer.update(bufferPointer: $0) }
            return outer.finalize().withUnsafeBytes { Array($0.prefix(length)) }
        }
    }

    private let keyed: Keyed
    /// Octets of the truncated code.
    let length: Int

    init(key: [UInt8], protocol auth: AuthenticationProtocol) {
        length = auth.digestLength
        switch auth {
        case .md5: keyed = .md5(Pads(key: key))
        case .sha1: keyed = .sha1(Pads(key: key))
        case .sha256: keyed = .sha256(Pads(key: key))
        case .sha384: keyed = .sha384(Pads(key: key))
        case .sha512: keyed = .sha512(Pads(key: key))
        }
    }

    /// The truncated code of `message` with the octets in `zeroed` taken as zeros.
    func code(of message: [UInt8], zeroing zeroed: Range<Int>) -> [UInt8] {
        message.withUnsafeBytes { bytes in
            switch keyed {
            case .md5(let pads): return pads.code(bytes, zeroing: zeroed, length: length)
            case .sha1(let pads): return pads.code(bytes, zeroing: zeroed, length: length)
            case .sha256(let pads): return pads.code(bytes, zeroing: zeroed, length: length)
            case .sha384(let pads): return pads.code(bytes, zeroing: zeroed, length: length)
            case .sha512(let pads): return pads.code(bytes, zeroing: zeroed, length: length)
            }
        }
    }

    /// Whether a received message carries the right code, compared in constant time.
    func verify(_ message: [UInt8]) -> Bool {
        guard let range = try? SNMPv3Message.authenticationParametersRange(in: message), range.count == length
        else { return false }
        let expected = code(of: message, zeroing: range)
        var difference: UInt8 = 0
        for (offset, octet) in expected.enumerated() {
            difference |= octet ^ message[range.lowerBound + offset]
        }
        return difference == 0
    }

    /// Signs an encoded message whose authentication field holds `length` zero octets; false
    /// when it has no such field.
    func sign(_ message: inout [UInt8]) -> Bool {
        guard let range = try? SNMPv3Message.authenticationParametersRange(in: message), range.count == length
        else { return false }
        message.replaceSubrange(range, with: code(of: message, zeroing: range))
        return true
    }
}
