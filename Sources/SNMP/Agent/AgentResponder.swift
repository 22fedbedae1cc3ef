import NIOCore

/// Turns one received datagram into the datagram to send back, or into nothing: bytes in, bytes
/// out, no sockets, so that tests can drive it directly.
///
/// Invariant: it never throws and never traps on any input; whatever cannot be decoded or is not
/// allowed is dropped and counted, and, with an ``SNMPAgentAccess``, reported to its
/// `onRefusal`.
struct AgentResponder: Sendable {
    /// The largest UDP payload over IPv4, the limit on a response's size.
    static let maximumDatagramSize = 65_507

    let communities: Set<[UInt8]>
    let usm: AgentUSM
    let counters: AgentCounters
    let requestTimeout: Duration
    let random: @Sendable () -> UInt64
    /// Source networks and security levels; without it every listed community is served from
    /// anywhere and every user at its own level.
    let access: SNMPAgentAccess?

    init(
        configuration: SNMPAgentConfiguration, keyCache: USMKeyCache, counters: AgentCounters,
        access: SNMPAgentAccess? = nil
    ) {
        communities = Set(configuration.communities.map { Array($0.utf8) })
        usm = AgentUSM(
            engineID: configuration.engineID, engineBoots: configuration.engineBoots,
            users: configuration.users, keyCache: keyCache, access: access)
        self.access = access
        self.counters = counters
        requestTimeout = configuration.requestTimeout
        random = configuration.random
    }

    /// The answer to `datagram`, received from `source`, given the objects served now and the
    /// engine time, or `nil` to send nothing. `lease` is held until the value providers are done,
    /// even past the timeout.
    func reply(
        to datagram: [UInt8], from source: SocketAddress? = nil, objects: AgentObjectTable, engineTime: Int32,
        lease: AgentLease? = nil
    ) async -> [UInt8]? {
        switch prepare(datagram, from: source, objects: objects, engineTime: engineTime) {
        case .finished(let bytes):
            return bytes
        case .answer(let pending):
            let response = await respond(to: pending, lease: lease)
            return finish(pending, with: response)
        }
    }

    /// What becomes of a datagram once it is decoded and checked.
    enum Preparation {
        /// Send these bytes, or nothing: a Report, a refusal, something that is not a request.
        case finished([UInt8]?)
        /// A request to answer from the objects, then to `finish`.
        case answer(PendingAnswer)
    }

    /// A decoded, allowed request, and how to wrap its response.
    struct PendingAnswer: Sendable {
        let request: PDU
        let responder: AgentPDUResponder
        fileprivate let envelope: Envelope

        fileprivate enum Envelope: Sendable {
            case community(CommunityMessage)
            case v3(SNMPv3Message, ScopedPDU, USMUser, engineTime: Int32, limit: Int)
        }
    }

    /// Decodes and checks `datagram` without calling any value provider: the part of `reply`
    /// that never waits.
    func prepare(
        _ datagram: [UInt8], from source: SocketAddress?, objects: AgentObjectTable, engineTime: Int32
    )
        -> Preparation
    {
        switch CommunityMessage.version(of: datagram) {
        case 0, 1:
            guard let message = try? CommunityMessage(decoding: datagram) else {
                return .finished(dropMalformed())
            }
            return prepare(message, from: source, objects: objects)
        case 3:
            guard let message = try? SNMPv3Message(decoding: datagram) else {
                return .finished(dropMalformed())
            }
            return prepare(message, bytes: datagram, from: source, objects: objects, engineTime: engineTime)
        default:
            return .finished(dropMalformed())
        }
    }

    /// The response to a prepared request: at once when its values are at hand, else from the
    /// providers within `requestTimeout`, or `genErr` after it.
    func respond(to pending: PendingAnswer, lease: AgentLease?) async -> PDU {
        if let response = pending.responder.immediateResponse(to: pending.request) { return response }
        let request = pending.request
        let responder = pending.responder
        let response = await AgentDeadline.run(timeout: requestTimeout) {
            let response = await responder.response(to: request)
            withExtendedLifetime(lease) {}
            return response
        }
        if let response { return response }
        counters.count(\.requestTimeouts)
        return responder.failure(.genErr, index: 0, to: request)
    }

    /// The datagram that carries `response` to a prepared request, or `nil` when none can.
    func finish(_ pending: PendingAnswer, with response: PDU) -> [UInt8]? {
        switch pending.envelope {
        case .community(let message):
            var answer = message
            answer.pdu = response
            var bytes = answer.encoded()
            if bytes.count > Self.maximumDatagramSize {
                answer.pdu = pending.responder.failure(.tooBig, index: 0, to: message.pdu)
                bytes = answer.encoded()
            }
            return bytes.count > Self.maximumDatagramSize ? nil : bytes
        case .v3(let message, let scoped, let user, let engineTime, let limit):
            var answer = ScopedPDU(
                contextEngineID: usm.engineID, contextName: scoped.contextName, pdu: response)
            guard
                var sealed = usm.seal(answer, to: message, for: user, engineTime: engineTime, salt: random())
            else { return nil }
            if sealed.count > limit {
                answer.pdu = pending.responder.failure(.tooBig, index: 0, to: scoped.pdu)
                guard
                    let smaller = usm.seal(
                        answer, to: message, for: user, engineTime: engineTime, salt: random())
                else { return nil }
                sealed = smaller
            }
            return sealed.count > limit ? nil : sealed
        }
    }

    private func dropMalformed() -> [UInt8]? {
        counters.count(\.parseErrors)
        return nil
    }

    private func prepare(_ message: CommunityMessage, from source: SocketAddress?, objects: AgentObjectTable)
        -> Preparation
    {
        // net-snmp drops refused requests silently too: an answer would help guessing communities.
        if let access {
            switch access.decide(community: message.community, from: source) {
            case .allowed:
                break
            case .unknownCommunity:
                return .finished(refuse(.unknownCommunity, from: source))
            case .notFromThisSource:
                return .finished(
                    refuse(
                        .communityNotFromThisSource(
                            community: String(decoding: message.community, as: UTF8.self)),
                        from: source))
            }
        } else if !communities.contains(message.community) {
            counters.count(\.badCommunityNames)
            return .finished(nil)
        }
        let overhead = 32 + message.community.count
        let responder = AgentPDUResponder(
            objects: objects, version: message.version, sizeBudget: Self.maximumDatagramSize - overhead)
        guard responder.answers(message.pdu.kind) else { return .finished(nil) }
        return .answer(
            PendingAnswer(request: message.pdu, responder: responder, envelope: .community(message)))
    }

    /// Counts and reports a refused v1/v2c request; nothing is sent back.
    private func refuse(_ reason: SNMPAgentRefusal.Reason, from source: SocketAddress?) -> [UInt8]? {
        counters.count(\.badCommunityNames)
        access?.onRefusal?(SNMPAgentRefusal(source: source, reason: reason))
        return nil
    }

    private func prepare(
        _ message: SNMPv3Message, bytes: [UInt8], from source: SocketAddress?, objects: AgentObjectTable,
        engineTime: Int32
    ) -> Preparation {
        switch usm.check(message, bytes: bytes, engineTime: engineTime) {
        case .report(let error, let user):
            let counter = counters.count(error)
            if Self.isRefusal(error) {
                let name = String(decoding: message.security.userName, as: UTF8.self)
                access?.onRefusal?(
                    SNMPAgentRefusal(source: source, reason: .authenticationFailure(user: name, error: error))
                )
            }
            guard Self.allowsReport(message) else { return .finished(nil) }
            return .finished(
                usm.report(
                    error, counter: counter, to: message, authenticatedAs: user, engineTime: engineTime,
                    salt: random()))
        case .serve(let scoped, let user, let refusal):
            let limit = min(Int(message.maxSize), Self.maximumDatagramSize)
            let overhead =
                160 + usm.engineID.count + message.security.userName.count + scoped.contextName.count
            let responder = AgentPDUResponder(
                objects: objects, version: .v3, sizeBudget: limit - overhead)
            guard responder.answers(scoped.pdu.kind) else { return .finished(nil) }
            let pending = PendingAnswer(
                request: scoped.pdu, responder: responder,
                envelope: .v3(message, scoped, user, engineTime: engineTime, limit: limit))
            if let refusal {
                access?.onRefusal?(SNMPAgentRefusal(source: source, reason: refusal))
                return .finished(
                    finish(pending, with: responder.failure(.authorizationError, index: 0, to: scoped.pdu)))
            }
            return .answer(pending)
        }
    }

    /// Whether a USM error means the sender was refused, rather than a step of the normal
    /// exchange (engine discovery and time synchronisation go through Reports too).
    private static func isRefusal(_ error: USMError) -> Bool {
        switch error {
        case .unknownUserName, .wrongDigest, .decryptionError, .unsupportedSecurityLevel: return true
        case .unknownEngineID, .notInTimeWindow: return false
        }
    }

    /// RFC 3412 section 6.4: a Report goes back when the request is of the confirmed class, or,
    /// when its PDU cannot be read, when the reportable flag asks for one. The notification
    /// listener follows the same rule.
    static func allowsReport(_ message: SNMPv3Message) -> Bool {
        guard let pdu = message.scopedPDU?.pdu else { return message.flags.contains(.reportable) }
        switch pdu.kind {
        case .getRequest, .getNextRequest, .getBulkRequest, .setRequest, .informRequest: return true
        case .response, .trap, .report: return false
        }
    }
}
