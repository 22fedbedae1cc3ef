import NIOCore

/// One agent-check connection: collect HAProxy's `agent-send` text, answer one line, close.
///
/// HAProxy may send nothing at all (no `agent-send`), so the request ends at the first line
/// end, at the peer's half-close, at ``HAProxyAgentRequest/maximumLength`` bytes, or when
/// `requestWait` runs out, whichever comes first. The connection is closed after
/// `connectionTimeout` whatever happens, so a peer that never reads cannot hold it.
final class HAProxyAgentHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    typealias Answer = @Sendable (HAProxyAgentRequest) async -> HAProxyAgentReply

    private let requestWait: TimeAmount
    private let connectionTimeout: TimeAmount
    private let answer: Answer
    private var received: [UInt8] = []
    private var responded = false
    private var timers: [Scheduled<Void>] = []

    init(requestWait: TimeAmount, connectionTimeout: TimeAmount, answer: @escaping Answer) {
        self.requestWait = requestWait
        self.connectionTimeout = connectionTimeout
        self.answer = answer
    }

    func channelActive(context: ChannelHandlerContext) {
        let loop = context.eventLoop.assumeIsolated()
        timers.append(loop.scheduleTask(in: requestWait) { self.respond(context: context) })
        let channel = context.channel
        timers.append(loop.scheduleTask(in: connectionTimeout) { channel.close(promise: nil) })
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        guard !responded else { return }
        let room = HAProxyAgentRequest.maximumLength + 1 - received.count
        received += buffer.readBytes(length: min(room, buffer.readableBytes)) ?? []
        if received.contains(UInt8(ascii: "\n")) || received.contains(UInt8(ascii: "\r"))
            || received.count > HAProxyAgentRequest.maximumLength
        {
            respond(context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { respond(context: context) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        for timer in timers { timer.cancel() }
        timers = []
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func respond(context: ChannelHandlerContext) {
        guard !responded else { return }
        responded = true
        let request = HAProxyAgentRequest(received)
        received = []
        let channel = context.channel
        let answer = self.answer
        Task {
            let line = await answer(request).line
            let buffer = channel.allocator.buffer(string: line)
            channel.writeAndFlush(buffer).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
