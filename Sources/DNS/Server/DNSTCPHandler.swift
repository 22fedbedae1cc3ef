import NIOCore

/// Answers the framed queries of one TCP connection, in order, as many as the client sends
/// (RFC 7766 section 6.2.1), and closes the connection when it idles, misbehaves or would hold
/// the server hostage.
///
/// Three deadlines, none restarted by a single octet: a connection that starts no message for
/// `idleTimeout` is closed; a message must arrive whole within `messageTimeout` of its first
/// octet; an answer must be taken by the client within `writeTimeout` of being queued. While
/// more than `maximumOutputBytes` of answers wait unsent, further queries are neither read nor
/// answered, so a client that sends without reading costs a bounded amount of memory, and only
/// until its write deadline closes it and frees what was queued.
final class DNSTCPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The limits one connection is held to.
    struct Limits {
        var idleTimeout: TimeAmount
        var messageTimeout: TimeAmount
        var writeTimeout: TimeAmount
        var maximumOutputBytes: Int

        init(_ configuration: DNSServerConfiguration) {
            idleTimeout = configuration.tcpIdleTimeout
            messageTimeout = configuration.tcpMessageTimeout
            writeTimeout = configuration.tcpWriteTimeout
            maximumOutputBytes = max(1, configuration.maximumTCPOutputBytes)
        }
    }

    private let processor: DNSQueryProcessor
    private let limits: Limits

    private var idleTimer: Scheduled<Void>?
    private var messageTimer: Scheduled<Void>?
    private var writeTimer: Scheduled<Void>?
    /// Octets of answers written and not yet handed to the kernel.
    private(set) var queuedBytes = 0
    /// Answers written, and answers handed to the kernel, since the connection opened.
    private var writtenAnswers = 0
    private var sentAnswers = 0
    /// Queries read while over the output bound, answered in order once the client catches up;
    /// at most what one read delivered, since reading stops meanwhile.
    private var heldQueries: CircularBuffer<ByteBuffer> = []
    private var readingPaused = false
    /// True while held queries are being answered, so that answers sent meanwhile do not start
    /// answering them again from inside (one level of recursion per query).
    private var answeringHeldQueries = false
    private var closed = false

    init(processor: DNSQueryProcessor, limits: Limits) {
        self.processor = processor
        self.limits = limits
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { armIdle(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        armIdle(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        cancelTimers()
        heldQueries.removeAll()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimers()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        messageTimer?.cancel()
        messageTimer = nil
        let query = unwrapInboundIn(data)
        if isOverOutputBound || !heldQueries.isEmpty {
            heldQueries.append(query)
            pauseReading(context: context)
            return
        }
        answer(query, context: context)
        if isOverOutputBound { pauseReading(context: context) }
        if queuedBytes == 0 { armIdle(context: context) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is DNSTCPFrameDecoder.PartialMessage {
            // The deadline runs from the message's first octet and is not restarted by later ones.
            idleTimer?.cancel()
            idleTimer = nil
            if messageTimer == nil {
                messageTimer = schedule(in: limits.messageTimeout, context: context) { handler, context in
                    handler.close(context: context)
                }
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// A framing error or a reset ends this connection only.
    func errorCaught(context: ChannelHandlerContext, error: Error) {
        close(context: context)
    }

    // MARK: Answers

    private var isOverOutputBound: Bool { queuedBytes > limits.maximumOutputBytes }

    private func answer(_ query: ByteBuffer, context: ChannelHandlerContext) {
        let responses = processor.processStream(Array(query.readableBytesView), source: context.remoteAddress)
        guard !responses.isEmpty else { return }
        idleTimer?.cancel()
        idleTimer = nil
        for response in responses {
            // The length prefix is 16 bits; the processor never makes a larger message.
            var buffer = context.channel.allocator.buffer(capacity: response.count + 2)
            buffer.writeInteger(UInt16(response.count))
            buffer.writeBytes(response)
            let size = buffer.readableBytes
            queuedBytes += size
            writtenAnswers += 1
            let promise = context.eventLoop.makePromise(of: Void.self)
            let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
            promise.futureResult.whenComplete { _ in
                bound.value.handler.answerSent(size: size, context: bound.value.context)
            }
            context.write(wrapOutboundOut(buffer), promise: promise)
        }
        context.flush()
        if writeTimer == nil, queuedBytes > 0 { armWriteDeadline(context: context) }
    }

    /// One answer left for the kernel (or was dropped as the connection closed).
    private func answerSent(size: Int, context: ChannelHandlerContext) {
        queuedBytes -= size
        sentAnswers += 1
        guard !closed else { return }
        if readingPaused, !answeringHeldQueries, queuedBytes <= limits.maximumOutputBytes / 2 {
            answerHeldQueries(context: context)
        }
        if queuedBytes == 0 {
            writeTimer?.cancel()
            writeTimer = nil
            if messageTimer == nil, heldQueries.isEmpty { armIdle(context: context) }
        }
    }

    /// Answers the queries held while over the bound, then reads again if they all were.
    private func answerHeldQueries(context: ChannelHandlerContext) {
        answeringHeldQueries = true
        defer { answeringHeldQueries = false }
        while !isOverOutputBound, let query = heldQueries.popFirst() {
            answer(query, context: context)
        }
        guard !closed, heldQueries.isEmpty, !isOverOutputBound else { return }
        readingPaused = false
        context.channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
        context.read()
    }

    private func pauseReading(context: ChannelHandlerContext) {
        guard !readingPaused else { return }
        readingPaused = true
        context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
    }

    // MARK: Deadlines

    private func armIdle(context: ChannelHandlerContext) {
        guard !closed, idleTimer == nil else { return }
        idleTimer = schedule(in: limits.idleTimeout, context: context) { handler, context in
            handler.close(context: context)
        }
    }

    /// Every answer queued now must have been sent when the deadline passes; answers queued
    /// since get a deadline of their own.
    private func armWriteDeadline(context: ChannelHandlerContext) {
        let due = writtenAnswers
        writeTimer = schedule(in: limits.writeTimeout, context: context) { handler, context in
            handler.writeTimer = nil
            if handler.sentAnswers < due {
                handler.close(context: context)
            } else if handler.queuedBytes > 0 {
                handler.armWriteDeadline(context: context)
            }
        }
    }

    private func schedule(
        in delay: TimeAmount, context: ChannelHandlerContext,
        _ body: @escaping (DNSTCPHandler, ChannelHandlerContext) -> Void
    ) -> Scheduled<Void> {
        // The task runs on this connection's event loop, where the handler and context live.
        let bound = NIOLoopBound((handler: self, context: context, body: body), eventLoop: context.eventLoop)
        return context.eventLoop.scheduleTask(in: delay) {
            bound.value.body(bound.value.handler, bound.value.context)
        }
    }

    private func close(context: ChannelHandlerContext) {
        guard !closed else { return }
        closed = true
        cancelTimers()
        heldQueries.removeAll()
        context.close(promise: nil)
    }

    private func cancelTimers() {
        idleTimer?.cancel()
        messageTimer?.cancel()
        writeTimer?.cancel()
        (idleTimer, messageTimer, writeTimer) = (nil, nil, nil)
    }
}
