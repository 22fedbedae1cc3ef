/// Turns scoped PDUs into signed, encrypted SNMPv3 datagrams and back (RFC 3414 sections 3.1 and
/// 3.2), for the client and the agent alike.
public enum USMCodec {
    /// The authoritative engine a message is bound to.
    public struct Engine: Hashable, Sendable {
        public var id: [UInt8]
        public var boots: Int32
        public var time: Int32

        public init(id: [UInt8], boots: Int32, time: Int32) {
            self.id = id
            self.boots = boots
            self.time = time
        }
    }

    /// Encodes `scoped` for `user` at the user's security level: encrypted when it has privacy,
    /// signed when it has authentication. `salt` must differ for every encrypted message.
    ///
    /// Returns `nil` rather than a weaker message when the level cannot be met (a key is missing,
    /// encryption failed): a message flagged private must never travel in clear.
    public static func seal(
        _ scoped: ScopedPDU, messageID: Int32, reportable: Bool, user: USMUser, keys: LocalizedKeys,
        engine: Engine, salt: UInt64, maxSize: Int32 = 65_507
    ) -> [UInt8]? {
        seal(
            scoped, messageID: messageID, reportable: reportable, user: user, keys: keys, engine: engine,
            salt: salt, maxSize: maxSize
        ) { bytes, authentication in
            guard let authKey = keys.authentication else { return false }
            return (try? USMAuthentication.sign(&bytes, key: authKey, protocol: authentication.method)) != nil
        }
    }

    /// `seal`, with `sign` filling in the digest of the encoded message (whose digest field is
    /// zeroed) for the user's authentication; false when it cannot. An agent passes an HMAC keyed
    /// once per user.
    static func seal(
        _ scoped: ScopedPDU, messageID: Int32, reportable: Bool, user: USMUser, keys: LocalizedKeys,
        engine: Engine, salt: UInt64, maxSize: Int32 = 65_507,
        sign: (inout [UInt8], USMUser.Authentication) -> Bool
    ) -> [UInt8]? {
        var flags = user.flags
        if reportable { flags.insert(.reportable) }
        var security = USMSecurityParameters(
            engineID: engine.id, engineBoots: engine.boots, engineTime: engine.time,
            userName: Array(user.name.utf8))
        var payload = SNMPv3Message.Payload.plaintext(scoped)
        if user.privacy != nil {
            let saltBytes = (0..<8).map { UInt8(truncatingIfNeeded: salt >> (56 - 8 * UInt64($0))) }
            guard let privKey = keys.privacy,
                let encrypted = try? USMPrivacy.encrypt(
                    scoped.encoded(), key: privKey, engineBoots: engine.boots, engineTime: engine.time,
                    salt: saltBytes)
            else { return nil }
            payload = .encrypted(encrypted)
            security.privacyParameters = saltBytes
        }
        if let authentication = user.authentication {
            security.authenticationParameters = [UInt8](
                repeating: 0, count: authentication.method.digestLength)
        }
        var bytes = SNMPv3Message(
            messageID: messageID, maxSize: maxSize, flags: flags, security: security, payload: payload
        ).encoded()
        if let authentication = user.authentication {
            guard sign(&bytes, authentication) else { return nil }
        }
        return bytes
    }

    /// Verifies and decrypts a received message for `user` (whose keys are localised to the
    /// message's authoritative engine), returning its scoped PDU. `digestVerified`: the caller
    /// has just checked the digest with the same key, so it is not computed a second time.
    public static func open(
        _ message: SNMPv3Message, bytes: [UInt8], user: USMUser, keys: LocalizedKeys,
        digestVerified: Bool = false
    ) throws(USMError) -> ScopedPDU {
        let flags = message.flags
        switch user.securityLevel {
        case .noAuthNoPriv:
            guard !flags.contains(.authenticated) else { throw .unsupportedSecurityLevel }
        case .authNoPriv:
            guard flags.contains(.authenticated), !flags.contains(.privacy) else {
                throw .unsupportedSecurityLevel
            }
        case .authPriv:
            // Reports may come back authenticated but unencrypted (RFC 3414 section 3.1.1).
            guard flags.contains(.authenticated) else { throw .unsupportedSecurityLevel }
        }
        if let authentication = user.authentication, flags.contains(.authenticated), !digestVerified {
            guard let authKey = keys.authentication,
                USMAuthentication.verify(bytes, key: authKey, protocol: authentication.method)
            else { throw .wrongDigest }
        }
        switch message.payload {
        case .plaintext(let scoped):
            guard !flags.contains(.privacy) else { throw .decryptionError }
            return scoped
        case .encrypted(let ciphertext):
            guard flags.contains(.privacy), let privKey = keys.privacy else { throw .decryptionError }
            let security = message.security
            do {
                let plaintext = try USMPrivacy.decrypt(
                    ciphertext, key: privKey, engineBoots: security.engineBoots,
                    engineTime: security.engineTime,
                    salt: security.privacyParameters)
                return try ScopedPDU(decrypted: plaintext)
            } catch {
                throw .decryptionError
            }
        }
    }
}
