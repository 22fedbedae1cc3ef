import NIOCore

/// Writes one length-prefixed request on a TCP connection (RFC 1035 section 4.2.2) and
/// completes `promise` with the first matching framed answer; frames with another ID are
/// skipped. The 2-octet prefix bounds a message to 64 KiB, and `maximumSkippedFrames` bounds
/// what a misbehaving server can make us read.
final class StreamExchangeHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let maximumSkippedFrames = 16

    private let request: [UInt8]
    private let server: SocketAddress
    private let matcher: DNSResponseMatcher
    private let timeout: TimeAmount
    private let promise: EventLoopPromise<DNSExchangeResult>
    private var received: ByteBuffer?
    private var skippedFrames = 0
    private var timer: Scheduled<Void>?

    init(
        request: [UInt8], server: SocketAddress, matcher: DNSResponseMatcher, timeout: TimeAmount,
        promise: EventLoopPromise<DNSExchangeResult>
    ) {
        self.request = request
        self.server = server
        self.matcher = matcher
        self.timeout = timeout
        self.promise = promise
    }

    func channelActive(context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: request.count + 2)
        buffer.writeInteger(UInt16(request.count))
        buffer.writeBytes(request)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        timer = context.eventLoop.scheduleTask(in: timeout) { [promise, server] in
            promise.fail(DNSClientError(.timeout, "no answer from \(server.endpointDescription) over TCP"))
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if received == nil {
            received = incoming
        } else {
            received!.writeBuffer(&incoming)
        }
        while let length = received?.getInteger(at: received!.readerIndex, as: UInt16.self),
            received!.readableBytes >= 2 + Int(length)
        {
            received!.moveReaderIndex(forwardBy: 2)
            let frame = received!.readBytes(length: Int(length))!
            switch matcher.judge(frame) {
            case .answer(let message):
                promise.succeed(DNSExchangeResult(bytes: frame, message: message, transport: .tcp))
                return
            case .malformed(let detail):
                promise.fail(
                    DNSClientError(
                        .malformedResponse, "malformed answer from \(server.endpointDescription): \(detail)"))
                return
            case .ignore:
                skippedFrames += 1
                if skippedFrames > Self.maximumSkippedFrames {
                    promise.fail(
                        DNSClientError(
                            .malformedResponse,
                            "\(server.endpointDescription) sent too many messages that are not the answer"))
                    return
                }
            }
        }
        received?.discardReadBytes()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(
            DNSClientError(
                .connectionFailed, "TCP connection to \(server.endpointDescription) failed: \(error)"))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(
            DNSClientError(
                .connectionFailed, "\(server.endpointDescription) closed the TCP connection before answering")
        )
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        promise.fail(DNSClientError(.connectionFailed, "the TCP connection closed before an answer"))
    }
}
