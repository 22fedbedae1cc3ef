import NIOCore
import SNMP
import UDPReplySource

/// Answers the SNMP GETs of `lbbench cycle` for every node of the fleet on one wildcard socket:
/// the node is the address the request was sent to (127.1.0.1 upwards), and the answer leaves
/// from that address (`UDPReplySource`), as one agent per node would send it. A dead node's
/// requests are read and dropped, so its poll runs into the timeout as for a host that is down
/// behind a firewall (no ICMP error).
///
/// v1/v2c: community `public`. v3: user `bench` at authPriv, each node its own engine (its ID
/// ends with the node's index), discovered by the poller as it would discover a real agent. The
/// responder does only what lbd's poll needs: a GET of the load OID, engine discovery; it keeps
/// no counters and checks no time window.
///
/// Invariant: used on its channel's event loop only (the per-node key cache is not locked).
final class CycleFleetResponder: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    /// What each node answers at the load OID; `nil` for a dead node.
    private let answers: [SNMPValue?]
    private let community = Array(BenchmarkCredentials.community.utf8)
    private let loadOID = OID(BenchmarkCredentials.loadOID)!
    private let user = BenchmarkCredentials.user
    private let userName = Array(BenchmarkCredentials.user.name.utf8)
    /// Hashes each password once; its localised keys are kept in `localizedKeys` instead, so
    /// its own store of them is kept tiny.
    private let keyCache = USMKeyCache(capacity: 1)
    /// Each node's keys, localised to its engine at its first authenticated request.
    private var localizedKeys: [LocalizedKeys?]
    private var reportsSent: UInt32 = 0
    private var salt = UInt64.random(in: .min ... .max)
    private let started = ContinuousClock.now

    init(answers: [SNMPValue?]) {
        self.answers = answers
        localizedKeys = [LocalizedKeys?](repeating: nil, count: answers.count)
    }

    /// The SNMPv3 engine ID of `node`: enterprise 8072 (net-snmp), text format, then the index.
    static func engineID(of node: Int) -> [UInt8] {
        [0x80, 0x00, 0x1F, 0x88, 0x04] + Array("lbbench".utf8)
            + withUnsafeBytes(of: UInt32(node).bigEndian) { Array($0) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard case .v4(let destination)? = envelope.metadata?.packetInfo?.destinationAddress,
            let node = CycleFleet.node(
                atIPv4: UInt32(bigEndian: destination.address.sin_addr.s_addr), count: answers.count),
            let value = answers[node]
        else { return }
        let bytes = Array(envelope.data.readableBytesView)
        let answer: [UInt8]?
        switch CommunityMessage.version(of: bytes) {
        case 0, 1: answer = communityAnswer(bytes, value: value)
        case 3: answer = v3Answer(bytes, node: node, value: value)
        default: answer = nil
        }
        guard let answer else { return }
        context.write(
            wrapOutboundOut(envelope.reply(context.channel.allocator.buffer(bytes: answer))), promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A full socket buffer drops an answer, as the network may: the poll times out.
    }

    private func response(to pdu: PDU, value: SNMPValue) -> PDU {
        PDU(
            kind: .response, requestID: pdu.requestID,
            variableBindings: pdu.variableBindings.map {
                VariableBinding(oid: $0.oid, value: $0.oid == loadOID ? value : .noSuchObject)
            })
    }

    private func communityAnswer(_ bytes: [UInt8], value: SNMPValue) -> [UInt8]? {
        guard let message = try? CommunityMessage(decoding: bytes), message.community == community,
            message.pdu.kind == .getRequest
        else { return nil }
        return CommunityMessage(
            version: message.version, community: community, pdu: response(to: message.pdu, value: value)
        ).encoded()
    }

    private func v3Answer(_ bytes: [UInt8], node: Int, value: SNMPValue) -> [UInt8]? {
        guard let message = try? SNMPv3Message(decoding: bytes) else { return nil }
        let engine = USMCodec.Engine(
            id: Self.engineID(of: node), boots: 1,
            time: Int32(clamping: (ContinuousClock.now - started).components.seconds))
        guard message.security.engineID == engine.id else {
            // Discovery (RFC 3414 section 4): a Report in clear naming the engine.
            reportsSent &+= 1
            let report = PDU(
                kind: .report, requestID: message.scopedPDU?.pdu.requestID ?? 0,
                variableBindings: [
                    VariableBinding(oid: USMError.unknownEngineID.reportOID, value: .counter32(reportsSent))
                ])
            return SNMPv3Message(
                messageID: message.messageID, flags: [],
                security: USMSecurityParameters(
                    engineID: engine.id, engineBoots: engine.boots, engineTime: engine.time),
                payload: .plaintext(ScopedPDU(contextEngineID: engine.id, pdu: report))
            ).encoded()
        }
        guard message.security.userName == userName else { return nil }
        let keys = keys(of: node, engineID: engine.id)
        guard let scoped = try? USMCodec.open(message, bytes: bytes, user: user, keys: keys),
            scoped.pdu.kind == .getRequest
        else { return nil }
        salt &+= 1
        return USMCodec.seal(
            ScopedPDU(contextEngineID: engine.id, pdu: response(to: scoped.pdu, value: value)),
            messageID: message.messageID, reportable: false, user: user, keys: keys, engine: engine,
            salt: salt)
    }

    private func keys(of node: Int, engineID: [UInt8]) -> LocalizedKeys {
        if let known = localizedKeys[node] { return known }
        let keys = keyCache.keys(for: user, engineID: engineID)
        localizedKeys[node] = keys
        return keys
    }
}
