/// The authoritative side of the User-based Security Model: checks an incoming SNMPv3 message in
/// the order of RFC 3414 section 3.2 and seals the answer. The agent uses it for requests, the
/// notification listener for INFORMs (whose receiver is the authoritative engine).
///
/// Invariant: a message is served only if it names this engine and a known user, is at a level
/// the user has, and (when authenticated) carries the right digest and is in the time window.
struct AgentUSM: Sendable {
    /// The RFC 3414 section 3.2 step 7 time window, in seconds.
    static let timeWindow: Int64 = 150

    let engineID: [UInt8]
    let engineBoots: Int32
    let users: [[UInt8]: USMUser]
    let keyCache: USMKeyCache
    /// The `rouser` grants; without them a user is served at its own level only.
    let access: SNMPAgentAccess?
    /// Each user's keys and keyed HMAC, made once.
    let userKeys: AgentUserKeyTable

    init(
        engineID: [UInt8], engineBoots: Int32, users: [USMUser], keyCache: USMKeyCache,
        access: SNMPAgentAccess? = nil
    ) {
        self.engineID = engineID
        self.engineBoots = engineBoots
        self.access = access
        // The last of several users with one name wins, as in a configuration file.
        self.users = Dictionary(users.map { (Array($0.name.utf8), $0) }, uniquingKeysWith: { $1 })
        self.keyCache = keyCache
        userKeys = AgentUserKeyTable(users: self.users, keyCache: keyCache, engineID: engineID)
    }

    /// What to do with a message.
    enum Verdict {
        /// Send the Report of `error`; authenticated as `user` when it is set (notInTimeWindow
        /// only), in clear otherwise.
        case report(USMError, authenticatedAs: USMUser?)
        /// Serve the scoped PDU and seal the answer for `user`, which is the configured user cut
        /// down to the request's security level. `refusal` is set when the user may not read at
        /// this level (below its grant, or without one): the answer is then an
        /// `authorizationError`.
        case serve(ScopedPDU, user: USMUser, refusal: SNMPAgentRefusal.Reason?)
    }

    /// Checks `message` (decoded from `bytes`) received when this engine's time was `engineTime`.
    func check(_ message: SNMPv3Message, bytes: [UInt8], engineTime: Int32) -> Verdict {
        let security = message.security
        // Step 3: a discovery request (empty engine ID) or a message for another engine.
        guard security.engineID == engineID else { return .report(.unknownEngineID, authenticatedAs: nil) }
        // Step 4.
        guard let configured = users[security.userName] else {
            return .report(.unknownUserName, authenticatedAs: nil)
        }
        // Step 5.
        let level = Self.level(of: message.flags)
        guard SecurityLevel.rank(level) <= SecurityLevel.rank(configured.securityLevel) else {
            return .report(.unsupportedSecurityLevel, authenticatedAs: nil)
        }
        let user = Self.user(configured, at: level)
        let prepared = userKeys.keys(named: security.userName)
        let keys = prepared?.keys(for: user) ?? keyCache.keys(for: user, engineID: engineID)
        if let authentication = user.authentication, let authKey = keys.authentication {
            // Step 6.
            let verified =
                prepared?.digest?.verify(bytes)
                ?? USMAuthentication.verify(bytes, key: authKey, protocol: authentication.method)
            guard verified else {
                return .report(.wrongDigest, authenticatedAs: nil)
            }
            // Step 7: checked before decryption, whose IV depends on boots and time.
            guard isInTimeWindow(security, engineTime: engineTime) else {
                return .report(.notInTimeWindow, authenticatedAs: Self.user(configured, at: .authNoPriv))
            }
        }
        // Step 8; the digest was verified in step 6 when the user authenticates.
        do {
            let scoped = try USMCodec.open(
                message, bytes: bytes, user: user, keys: keys, digestVerified: keys.authentication != nil)
            return .serve(scoped, user: user, refusal: refusal(of: configured, at: level))
        } catch {
            return .report(error, authenticatedAs: nil)
        }
    }

    /// Why `user` may not read at `level`, or `nil` when it may.
    private func refusal(of user: USMUser, at level: SecurityLevel) -> SNMPAgentRefusal.Reason? {
        guard let access else {
            // Without grants a user reads at exactly the level it is configured for.
            guard level != user.securityLevel else { return nil }
            return .securityLevelTooLow(user: user.name, level: level, required: user.securityLevel)
        }
        guard let minimum = access.minimumLevel(of: Array(user.name.utf8)) else {
            return .userWithoutGrant(user: user.name)
        }
        guard SecurityLevel.rank(level) >= SecurityLevel.rank(minimum) else {
            return .securityLevelTooLow(user: user.name, level: level, required: minimum)
        }
        return nil
    }

    private func isInTimeWindow(_ security: USMSecurityParameters, engineTime: Int32) -> Bool {
        security.engineBoots == engineBoots && engineBoots != Int32.max
            && abs(Int64(security.engineTime) - Int64(engineTime)) <= Self.timeWindow
    }

    /// The Report for `error` in answer to `message`, whose usmStats counter is now `counter`.
    func report(
        _ error: USMError, counter: UInt32, to message: SNMPv3Message, authenticatedAs user: USMUser?,
        engineTime: Int32, salt: UInt64
    ) -> [UInt8] {
        // The request-id is known only when the scoped PDU was in clear; 0 otherwise, the client
        // matches Reports by msgID.
        let requestID = message.scopedPDU?.pdu.requestID ?? 0
        let pdu = PDU(
            kind: .report, requestID: requestID,
            variableBindings: [VariableBinding(oid: error.reportOID, value: .counter32(counter))])
        let scoped = ScopedPDU(
            contextEngineID: engineID, contextName: message.scopedPDU?.contextName ?? [], pdu: pdu)
        // Authenticated when the user's keys allow it (always, for a configured user); else in clear.
        if let user, let sealed = seal(scoped, to: message, for: user, engineTime: engineTime, salt: salt) {
            return sealed
        }
        // In clear, echoing the user name as received: it may not be a configured user, nor UTF-8.
        let security = USMSecurityParameters(
            engineID: engineID, engineBoots: engineBoots, engineTime: engineTime,
            userName: message.security.userName)
        return SNMPv3Message(
            messageID: message.messageID, flags: [], security: security, payload: .plaintext(scoped)
        ).encoded()
    }

    /// `scoped` sealed for `user` as the answer to `message`: same msgID, not reportable; `nil`
    /// when the user's level cannot be met.
    func seal(
        _ scoped: ScopedPDU, to message: SNMPv3Message, for user: USMUser, engineTime: Int32, salt: UInt64
    ) -> [UInt8]? {
        let engine = USMCodec.Engine(id: engineID, boots: engineBoots, time: engineTime)
        guard let prepared = userKeys.keys(named: Array(user.name.utf8)),
            let keys = prepared.keys(for: user)
        else {
            return USMCodec.seal(
                scoped, messageID: message.messageID, reportable: false, user: user,
                keys: keyCache.keys(for: user, engineID: engineID), engine: engine, salt: salt)
        }
        return Self.seal(
            scoped, messageID: message.messageID, user: user, keys: keys, digest: prepared.digest,
            engine: engine,
            salt: salt)
    }

    /// `USMCodec.seal` (not reportable), signing with the user's HMAC keyed beforehand: the same
    /// octets.
    static func seal(
        _ scoped: ScopedPDU, messageID: Int32, user: USMUser, keys: LocalizedKeys, digest: AgentDigest?,
        engine: USMCodec.Engine, salt: UInt64
    ) -> [UInt8]? {
        USMCodec.seal(
            scoped, messageID: messageID, reportable: false, user: user, keys: keys, engine: engine,
            salt: salt
        ) { bytes, authentication in
            guard keys.authentication != nil, let digest, digest.length == authentication.method.digestLength
            else { return false }
            return digest.sign(&bytes)
        }
    }

    /// Computes the localised keys of every user, so that the first request does not pay for it.
    func warmKeyCache() {
        userKeys.warm()
    }

    static func level(of flags: SNMPv3Message.Flags) -> SecurityLevel {
        guard flags.contains(.authenticated) else { return .noAuthNoPriv }
        return flags.contains(.privacy) ? .authPriv : .authNoPriv
    }

    /// `user` without the protocols above `level`.
    static func user(_ user: USMUser, at level: SecurityLevel) -> USMUser {
        var restricted = user
        if level != .authPriv { restricted.privacy = nil }
        if level == .noAuthNoPriv { restricted.authentication = nil }
        return restricted
    }
}
