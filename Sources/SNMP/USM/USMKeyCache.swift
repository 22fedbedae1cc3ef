import Synchronization

/// A user's keys localised to one engine.
public struct LocalizedKeys: Hashable, Sendable {
    public var authentication: [UInt8]?
    public var privacy: [UInt8]?
}

/// Caches password-to-key results (a megabyte of hashing each) and their localisation per engine,
/// so that a poller talking to thousands of agents hashes each password once.
public final class USMKeyCache: Sendable {
    private struct MasterKey: Hashable {
        var method: AuthenticationProtocol
        var password: String
    }

    private struct LocalKey: Hashable {
        var master: MasterKey
        var engineID: [UInt8]
    }

    private let masters = Mutex<[MasterKey: [UInt8]]>([:])
    private let localized = Mutex<[LocalKey: [UInt8]]>([:])
    /// Localised keys kept at most; the cache is emptied past it (a poller has a few thousand).
    private let capacity: Int

    public init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// The keys of `user` for the engine `engineID`.
    ///
    /// - Parameter keepingLocalized: false when the caller keeps the localised keys itself (the
    ///   SNMP client, with each engine it knows): localising costs one hash, while keeping a
    ///   hundred thousand engines' keys twice cost the client about 40 MB.
    public func keys(for user: USMUser, engineID: [UInt8], keepingLocalized: Bool = true) -> LocalizedKeys {
        // An empty password has no key (RFC 3414 asks for 8 characters): no keys, so sealing
        // fails cleanly instead of signing with a degenerate key.
        guard let authentication = user.authentication, !authentication.password.isEmpty else {
            return LocalizedKeys()
        }
        let authKey = key(
            password: authentication.password, method: authentication.method, engineID: engineID,
            keep: keepingLocalized)
        // RFC 3826: the privacy key is localised with the authentication protocol's hash.
        let privKey = user.privacy.flatMap {
            $0.password.isEmpty
                ? nil
                : key(
                    password: $0.password, method: authentication.method, engineID: engineID,
                    keep: keepingLocalized)
        }
        return LocalizedKeys(authentication: authKey, privacy: privKey)
    }

    private func key(password: String, method: AuthenticationProtocol, engineID: [UInt8], keep: Bool)
        -> [UInt8]
    {
        let master = MasterKey(method: method, password: password)
        let local = LocalKey(master: master, engineID: engineID)
        if keep, let cached = localized.withLock({ $0[local] }) { return cached }
        let ku: [UInt8]
        if let cached = masters.withLock({ $0[master] }) {
            ku = cached
        } else {
            ku = USMKeys.passwordToKey(password, protocol: method)
            masters.withLock { $0[master] = ku }
        }
        let kul = USMKeys.localize(ku, to: engineID, protocol: method)
        guard keep else { return kul }
        localized.withLock { cache in
            if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
            cache[local] = kul
        }
        return kul
    }
}
