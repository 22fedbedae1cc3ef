import NIOCore

/// Sends one request datagram, resends it after each timeout, and completes `promise` with the
/// first matching answer from the server. All its state lives on the channel's event loop.
///
/// One socket serves every attempt, so a late answer to an earlier attempt (same ID) is
/// still accepted.
final class DatagramExchangeHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let request: [UInt8]
    private let server: SocketAddress
    private let matcher: DNSResponseMatcher
    private let timeout: TimeAmount
    private let attempts: Int
    private var attemptsLeft: Int
    private let promise: EventLoopPromise<DNSExchangeResult>
    private var timer: Scheduled<Void>?

    init(
        request: [UInt8], server: SocketAddress, matcher: DNSResponseMatcher, timeout: TimeAmount,
        attempts: Int, promise: EventLoopPromise<DNSExchangeResult>
    ) {
        self.request = request
        self.server = server
        self.matcher = matcher
        self.timeout = timeout
        self.attempts = attempts
        self.attemptsLeft = attempts
        self.promise = promise
    }

    func channelActive(context: ChannelHandlerContext) {
        send(context: context)
        context.fireChannelActive()
    }

    private func send(context: ChannelHandlerContext) {
        attemptsLeft -= 1
        let buffer = context.channel.allocator.buffer(bytes: request)
        context.writeAndFlush(
            wrapOutboundOut(AddressedEnvelope(remoteAddress: server, data: buffer)), promise: nil)
        // The timer runs on this event loop, so the loop-bound handler and context are safe.
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) {
            bound.value.handler.attemptTimedOut(context: bound.value.context)
        }
    }

    private func attemptTimedOut(context: ChannelHandlerContext) {
        if attemptsLeft > 0 {
            send(context: context)
        } else {
            // The count is said only when there were several: a caller retrying on its own
            // counts its attempts itself.
            let count = attempts > 1 ? " after \(attempts) attempts" : ""
            promise.fail(
                DNSClientError(.timeout, "no answer from \(server.endpointDescription) over UDP\(count)"))
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        // Only the server we asked may answer (RFC 5452 section 9.1).
        guard envelope.remoteAddress == server else { return }
        let bytes = Array(envelope.data.readableBytesView)
        switch matcher.judge(bytes) {
        case .answer(let message):
            timer?.cancel()
            promise.succeed(DNSExchangeResult(bytes: bytes, message: message, transport: .udp))
        case .ignore:
            break
        case .malformed(let detail):
            timer?.cancel()
            promise.fail(
                DNSClientError(
                    .malformedResponse, "malformed answer from \(server.endpointDescription): \(detail)"))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // An ICMP error or a refused send: the next attempt, or the timeout, decides.
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        promise.fail(DNSClientError(.connectionFailed, "the UDP socket closed before an answer"))
    }
}

/// The raw answer (kept for TSIG verification), its decoding and the transport it came by.
struct DNSExchangeResult: Sendable {
    var bytes: [UInt8]
    var message: DNSMessage
    var transport: DNSTransport
}
