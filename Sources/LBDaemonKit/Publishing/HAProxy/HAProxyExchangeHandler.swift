import NIOCore

/// Writes a batch of runtime API commands on a fresh connection and collects everything HAProxy
/// writes back until it closes the connection (after `quit`), completing `promise` with the
/// bytes. A deadline fixed before connecting bounds the exchange, and `limit` the bytes kept.
final class HAProxyExchangeHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let request: String
    private let limit: Int
    private let deadline: NIODeadline
    private let promise: EventLoopPromise<ByteBuffer>
    private var received = ByteBuffer()
    private var timer: Scheduled<Void>?
    private var finished = false

    init(request: String, limit: Int, deadline: NIODeadline, promise: EventLoopPromise<ByteBuffer>) {
        self.request = request
        self.limit = limit
        self.deadline = deadline
        self.promise = promise
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(
            wrapOutboundOut(context.channel.allocator.buffer(string: request)), promise: nil)
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = bound.value
            handler.finish(
                .failure(
                    HAProxyRuntimeError(
                        .timeout,
                        "no complete answer before the deadline (\(handler.received.readableBytes) bytes read)"
                    )
                ), context: context)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !finished else { return }
        var incoming = unwrapInboundIn(data)
        guard received.readableBytes + incoming.readableBytes <= limit else {
            finish(
                .failure(HAProxyRuntimeError(.answerTooLarge, "the answer is longer than \(limit) bytes")),
                context: context)
            return
        }
        received.writeBuffer(&incoming)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(
            .failure(HAProxyRuntimeError(.connectionFailed, "the connection failed: \(error)")),
            context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.success(received), context: context)
        context.fireChannelInactive()
    }

    private func finish(_ result: Result<ByteBuffer, HAProxyRuntimeError>, context: ChannelHandlerContext) {
        guard !finished else { return }
        finished = true
        timer?.cancel()
        switch result {
        case .success(let bytes): promise.succeed(bytes)
        case .failure(let error): promise.fail(error)
        }
        context.close(promise: nil)
    }
}
