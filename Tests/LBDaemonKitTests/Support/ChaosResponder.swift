import LBCore
import SNMP

/// The SNMPv3 engine of one chaos node: bytes of a request in, the datagrams its behaviour sends
/// back out. Pure apart from the random source, so it needs no socket.
///
/// Invariant: every datagram meant to be valid is a correctly sealed SNMPv3 message of this
/// engine (authNoPriv for `user`), so that only the fault chosen differs from a good answer.
struct ChaosResponder: Sendable {
    static let loadOID = OID(loadReportOID)!
    static let otherOID = OID(".1.3.6.1.2.1.1.3.0")!
    static let engineBoots: Int32 = 1
    /// Copies of the good answer (and as many garbage datagrams) a flood sends per request.
    static let floodCopies = 40

    let engineID: [UInt8]
    let user: USMUser
    let keys: LocalizedKeys

    init(address: String, user: USMUser, keyCache: USMKeyCache) {
        // An enterprise-format engine ID (RFC 3411): 0x80 + net-snmp's number, format 4 (text).
        engineID = [0x80, 0x00, 0x1F, 0x88, 0x04] + Array("chaos-\(address)".utf8)
        self.user = user
        keys = keyCache.keys(for: user, engineID: engineID)
    }

    /// The datagrams to send for `bytes`, received when the engine had run `engineTime` seconds.
    func replies(
        to bytes: [UInt8], behaviour: ChaosBehaviour, engineTime: Int32,
        random: inout SeededRandomNumberGenerator
    ) -> [[UInt8]] {
        if behaviour == .silent || behaviour == .unreachable { return [] }
        guard let message = try? SNMPv3Message(decoding: bytes) else { return [] }
        let engine = USMCodec.Engine(id: engineID, boots: Self.engineBoots, time: engineTime)
        if message.security.engineID != engineID {
            let discovery = clearReport(.unknownEngineID, to: message, engine: engine)
            if case .flood = behaviour { return flood(discovery, random: &random) }
            return [discovery]
        }
        guard let scoped = try? USMCodec.open(message, bytes: bytes, user: user, keys: keys) else {
            return [clearReport(.wrongDigest, to: message, engine: engine)]
        }
        var salt = random.next()
        func response(
            _ value: SNMPValue = .integer(ChaosBehaviour.tempting), oid: OID = Self.loadOID, status: Int = 0,
            requestID: Int32? = nil, messageID: Int32? = nil
        ) -> [UInt8] {
            let pdu = PDU(
                kind: .response, requestID: requestID ?? scoped.pdu.requestID, errorStatus: status,
                errorIndex: status == 0 ? 0 : 1, variableBindings: [VariableBinding(oid: oid, value: value)])
            return seal(pdu, to: message, scoped: scoped, messageID: messageID, engine: engine, salt: &salt)
        }
        switch behaviour {
        case .load(let load):
            return [response(.integer(load))]
        case .errorStatus(let status):
            return [response(status: status)]
        case .report(.notInTimeWindow):
            // RFC 3414 section 3.2 step 7: this Report is authenticated.
            let pdu = PDU(
                kind: .report, requestID: scoped.pdu.requestID,
                variableBindings: [
                    VariableBinding(oid: USMError.notInTimeWindow.reportOID, value: .counter32(1))
                ]
            )
            return [seal(pdu, to: message, scoped: scoped, messageID: nil, engine: engine, salt: &salt)]
        case .report(let error):
            return [clearReport(error, to: message, engine: engine)]
        case .value(let value):
            return [response(value)]
        case .wrongOID:
            return [response(oid: Self.otherOID)]
        case .wrongMessageID:
            return [response(messageID: message.messageID == Int32.max ? 0 : message.messageID + 1)]
        case .wrongRequestID:
            return [response(requestID: scoped.pdu.requestID &+ 1)]
        case .truncated:
            let good = response()
            return [Array(good.prefix(good.count / 2))]
        case .garbage:
            return [Self.garbage(random: &random), [0x30, 0x82] + Self.garbage(random: &random)]
        case .flood(let load):
            return flood(response(.integer(load)), random: &random)
        case .silent, .unreachable:
            return []
        }
    }

    private func seal(
        _ pdu: PDU, to message: SNMPv3Message, scoped: ScopedPDU, messageID: Int32?, engine: USMCodec.Engine,
        salt: inout UInt64
    ) -> [UInt8] {
        salt &+= 1
        let answer = ScopedPDU(contextEngineID: engineID, contextName: scoped.contextName, pdu: pdu)
        return USMCodec.seal(
            answer, messageID: messageID ?? message.messageID, reportable: false, user: user, keys: keys,
            engine: engine, salt: salt) ?? []
    }

    /// A Report in clear, as an agent sends when it cannot authenticate the request (and for
    /// discovery, where it carries the engine ID, boots and time).
    private func clearReport(_ error: USMError, to message: SNMPv3Message, engine: USMCodec.Engine) -> [UInt8]
    {
        let pdu = PDU(
            kind: .report, requestID: message.scopedPDU?.pdu.requestID ?? 0,
            variableBindings: [VariableBinding(oid: error.reportOID, value: .counter32(1))])
        let security = USMSecurityParameters(
            engineID: engine.id, engineBoots: engine.boots, engineTime: engine.time,
            userName: message.security.userName)
        return SNMPv3Message(
            messageID: message.messageID, flags: [], security: security,
            payload: .plaintext(ScopedPDU(contextEngineID: engineID, pdu: pdu))
        ).encoded()
    }

    private func flood(_ good: [UInt8], random: inout SeededRandomNumberGenerator) -> [[UInt8]] {
        (0..<Self.floodCopies).flatMap { _ in [good, Self.garbage(random: &random)] }
    }

    private static func garbage(random: inout SeededRandomNumberGenerator) -> [UInt8] {
        let count = Int(random.next() % 600) + 1
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    }
}
