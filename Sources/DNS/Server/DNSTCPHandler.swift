import NIOCore

/// Answers the framed queries of one TCP connection, in order, as many as the client sends
/// (RFC 7766 section 6.2.1), and closes the connection when it idles or misbehaves.
final class DNSTCPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let processor: DNSQueryProcessor

    init(processor: DNSQueryProcessor) {
        self.processor = processor
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = Array(unwrapInboundIn(data).readableBytesView)
        let responses = processor.processStream(bytes, source: context.remoteAddress)
        for response in responses {
            // The length prefix is 16 bits; the processor never makes a larger message.
            var buffer = context.channel.allocator.buffer(capacity: response.count + 2)
            buffer.writeInteger(UInt16(response.count))
            buffer.writeBytes(response)
            context.write(wrapOutboundOut(buffer), promise: nil)
        }
        if !responses.isEmpty { context.flush() }
        // A client that sends queries but does not read the answers would make the answers
        // pile up here: stop reading from it until its socket drains.
        if !context.channel.isWritable {
            context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            context.channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
            context.read()
        }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// A framing error or a reset ends this connection only.
    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
