import NIOCore

/// Decodes each datagram far enough to find the request it answers and hands it over. Anything
/// that does not decode is dropped: agents and the network can send garbage.
final class ClientChannelHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let pending: PendingRequests

    init(pending: PendingRequests) {
        self.pending = pending
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        var buffer = envelope.data
        guard let bytes = buffer.readBytes(length: buffer.readableBytes) else { return }
        switch CommunityMessage.version(of: bytes) {
        case 0, 1:
            guard let message = try? CommunityMessage(decoding: bytes) else { return }
            pending.deliver(
                message.pdu.requestID,
                ReceivedMessage(bytes: bytes, decoded: .community(message), remote: envelope.remoteAddress))
        case 3:
            guard let message = try? SNMPv3Message(decoding: bytes) else { return }
            pending.deliver(
                message.messageID,
                ReceivedMessage(bytes: bytes, decoded: .v3(message), remote: envelope.remoteAddress))
        default:
            return
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP port unreachable and similar arrive here; the request will time out.
    }
}
