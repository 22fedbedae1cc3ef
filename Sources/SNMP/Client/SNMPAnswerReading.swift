/// What a datagram from an agent means to a request: the checks that `SNMPClient`'s tasks and
/// its batch GETs (`SNMPClient.get(_:fromEach:...)`) share, so that both read answers alike.
/// Nothing here trusts the datagram: every failure is an `SNMPClientError`.
enum SNMPAnswerReading {
    /// How a v3 answer to a GET ended when it carried no values.
    enum V3Outcome {
        case values([VariableBinding])
        /// The agent reported a USM error (RFC 3414 section 3.2): the engine may have restarted.
        case usmReport(USMError)
    }

    /// A datagram decoded far enough to be routed to its request: its id (request-id for
    /// v1/v2c, msgID for v3) and message; or, when it is not SNMP at all, why.
    static func route(_ bytes: [UInt8]) -> Result<(id: Int32, decoded: ReceivedMessage.Decoded), Malformed> {
        do {
            switch CommunityMessage.version(of: bytes) {
            case 0, 1:
                let message = try CommunityMessage(decoding: bytes)
                return .success((message.pdu.requestID, .community(message)))
            case 3:
                let message = try SNMPv3Message(decoding: bytes)
                return .success((message.messageID, .v3(message)))
            case let version?:
                return .failure(Malformed("unsupported SNMP version \(version)"))
            case nil:
                return .failure(Malformed("not an SNMP message (\(bytes.count) bytes)"))
            }
        } catch {
            return .failure(Malformed("\(error)"))
        }
    }

    /// Why a datagram could not be routed.
    struct Malformed: Error {
        var detail: String
        init(_ detail: String) { self.detail = detail }
    }

    /// The bindings of a v1/v2c response to a request for `requested` bindings.
    static func communityValues(
        _ decoded: ReceivedMessage.Decoded, version: SNMPVersion, requested: Int
    ) throws -> [VariableBinding] {
        guard case .community(let message) = decoded else {
            throw SNMPClientError.malformedResponse("expected a \(version) message, got an SNMPv3 one")
        }
        guard message.pdu.kind == .response else {
            throw SNMPClientError.malformedResponse("expected a Response PDU, got \(message.pdu.kind)")
        }
        return try values(of: message.pdu, requested: requested)
    }

    /// Reads a v3 answer to the request `requestID` sent to `engine` with `user`'s `keys`. An
    /// authentic answer refreshes the engine's boots and time in `engines`.
    static func v3(
        _ reply: ReceivedMessage, engine: EngineCache.Entry, user: USMUser, keys: LocalizedKeys,
        requestID: Int32, requested: Int, engines: EngineCache, now: ContinuousClock.Instant
    ) throws -> V3Outcome {
        guard case .v3(let message) = reply.decoded else {
            throw SNMPClientError.malformedResponse("expected an SNMPv3 message")
        }
        // A Report the agent could not authenticate (unknown user, wrong digest...) comes in clear.
        if !message.flags.contains(.authenticated), let scoped = message.scopedPDU, scoped.pdu.kind == .report
        {
            return try report(scoped.pdu)
        }
        guard message.security.engineID == engine.id else { throw SNMPClientError.engineMismatch }
        let scoped: ScopedPDU
        do {
            scoped = try USMCodec.open(message, bytes: reply.bytes, user: user, keys: keys)
        } catch {
            throw SNMPClientError.security(error)
        }
        // The answer is authentic: its boots and time refresh the estimate.
        engines.store(
            EngineCache.Entry(
                id: engine.id, boots: message.security.engineBoots, time: message.security.engineTime,
                learnedAt: now, localized: (user, keys)), for: reply.remote)
        if scoped.pdu.kind == .report { return try report(scoped.pdu) }
        guard scoped.pdu.kind == .response else {
            throw SNMPClientError.malformedResponse("expected a Response PDU, got \(scoped.pdu.kind)")
        }
        guard scoped.pdu.requestID == requestID else {
            throw SNMPClientError.malformedResponse("the response's request-id is not the request's")
        }
        // Only Reports may come back below the request's level; a response must match it.
        guard message.flags.contains(.privacy) == (user.securityLevel == .authPriv) else {
            throw SNMPClientError.security(.unsupportedSecurityLevel)
        }
        return .values(try values(of: scoped.pdu, requested: requested))
    }

    /// Whether a USM error reported by an agent is worth one fresh discovery and retry: the
    /// engine restarted (new boots, time) or was replaced (new engine ID).
    static func calls(forRediscovery error: USMError) -> Bool {
        error == .notInTimeWindow || error == .unknownEngineID
    }

    /// The engine an agent described in its answer to a discovery request (RFC 3414 section 4).
    static func discoveredEngine(_ decoded: ReceivedMessage.Decoded, now: ContinuousClock.Instant) throws
        -> EngineCache.Entry
    {
        guard case .v3(let message) = decoded, !message.security.engineID.isEmpty else {
            throw SNMPClientError.malformedResponse("engine discovery: no engine ID in the answer")
        }
        return EngineCache.Entry(
            id: message.security.engineID, boots: message.security.engineBoots,
            time: message.security.engineTime, learnedAt: now)
    }

    /// The discovery request: unauthenticated, reportable, empty, with `messageID` as both ids.
    static func discoveryRequest(messageID: Int32) -> [UInt8] {
        SNMPv3Message(
            messageID: messageID, flags: [.reportable], security: USMSecurityParameters(),
            payload: .plaintext(
                ScopedPDU(
                    contextEngineID: [],
                    pdu: PDU(kind: .getRequest, requestID: messageID, variableBindings: [])))
        )
        .encoded()
    }

    private static func report(_ pdu: PDU) throws -> V3Outcome {
        guard let oid = pdu.variableBindings.first?.oid, let error = USMError(reportOID: oid) else {
            throw SNMPClientError.unexpectedReport(pdu.variableBindings.first?.oid)
        }
        return .usmReport(error)
    }

    static func values(of pdu: PDU, requested: Int) throws -> [VariableBinding] {
        if pdu.errorStatus != 0 {
            throw SNMPClientError.errorStatus(
                SNMPErrorStatus(rawValue: pdu.errorStatus) ?? .genErr, index: pdu.errorIndex)
        }
        guard pdu.variableBindings.count == requested else {
            throw SNMPClientError.unexpectedBindingCount(
                received: pdu.variableBindings.count, requested: requested)
        }
        return pdu.variableBindings
    }
}
