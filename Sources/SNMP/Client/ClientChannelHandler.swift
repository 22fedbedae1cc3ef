import NIOCore

/// Decodes each datagram far enough to find the request it answers and hands it over. Anything
/// that does not decode is noted against the requests waiting on its sender (see
/// `PendingRequests`), never trusted: agents and the network can send garbage.
final class ClientChannelHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let pending: PendingRequests

    init(pending: PendingRequests) {
        self.pending = pending
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        var buffer = envelope.data
        let remote = envelope.remoteAddress
        guard let bytes = buffer.readBytes(length: buffer.readableBytes) else { return }
        do {
            switch CommunityMessage.version(of: bytes) {
            case 0, 1:
                let message = try CommunityMessage(decoding: bytes)
                pending.deliver(
                    message.pdu.requestID,
                    ReceivedMessage(bytes: bytes, decoded: .community(message), remote: remote))
            case 3:
                let message = try SNMPv3Message(decoding: bytes)
                pending.deliver(
                    message.messageID, ReceivedMessage(bytes: bytes, decoded: .v3(message), remote: remote))
            case let version?:
                pending.noteMalformed(from: remote, "unsupported SNMP version \(version)")
            case nil:
                pending.noteMalformed(from: remote, "not an SNMP message (\(bytes.count) bytes)")
            }
        } catch {
            pending.noteMalformed(from: remote, "\(error)")
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP port unreachable and similar arrive here; the request will time out.
    }
}
