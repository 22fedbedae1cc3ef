import NIOCore
import UDPReplySource

/// Answers each UDP datagram with at most one datagram, cut to the size the client can take
/// (RFC 6891 section 6.2.5; 512 octets without EDNS, RFC 1035 section 4.2.1).
final class DNSUDPHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let processor: DNSQueryProcessor
    private let maximumResponseSize: Int
    /// Answers written since the last flush.
    private var pendingWrites = false

    init(processor: DNSQueryProcessor, maximumResponseSize: Int) {
        self.processor = processor
        self.maximumResponseSize = max(512, maximumResponseSize)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let bytes = Array(envelope.data.readableBytesView)
        let ceiling = maximumResponseSize
        let response = processor.process(bytes, source: envelope.remoteAddress) { request in
            guard let edns = request?.edns else { return 512 }
            return min(ceiling, max(512, Int(edns.udpPayloadSize)))
        }
        guard let response else { return }
        let buffer = context.channel.allocator.buffer(bytes: response)
        // From the address the query was sent to: a resolver drops an answer from another one.
        context.write(wrapOutboundOut(envelope.reply(buffer)), promise: nil)
        pendingWrites = true
    }

    /// Sends the answers to the datagrams of one read burst together: one flush, so NIO can hand
    /// them to the kernel with a single sendmmsg instead of one sendmsg each.
    func channelReadComplete(context: ChannelHandlerContext) {
        if pendingWrites {
            pendingWrites = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    /// Errors on a UDP socket (an ICMP unreachable from a vanished client, a read error) concern
    /// one datagram: the socket stays open for everybody else.
    func errorCaught(context: ChannelHandlerContext, error: Error) {}
}
