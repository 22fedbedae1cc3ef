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
        switch SNMPAnswerReading.route(bytes) {
        case .success(let (id, decoded)):
            pending.deliver(id, ReceivedMessage(bytes: bytes, decoded: decoded, remote: remote))
        case .failure(let malformed):
            pending.noteMalformed(from: remote, malformed.detail)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP port unreachable and similar arrive here; the request will time out.
    }
}
