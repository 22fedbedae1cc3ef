import NIOCore

/// Writes one length-prefixed AXFR request on a TCP connection and feeds each framed answer to
/// an `AXFRStream`, completing `promise` with the records when the closing SOA arrives, or
/// with the first error. A single deadline, fixed before connecting, bounds the whole transfer;
/// the stream's limits bound the work and memory a server can make it spend.
final class ZoneTransferStreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let request: [UInt8]
    private var stream: AXFRStream
    private let deadline: NIODeadline
    private let promise: EventLoopPromise<[ResourceRecord]>
    private var received: ByteBuffer?
    private var timer: Scheduled<Void>?
    private var finished = false

    init(
        request: [UInt8], stream: AXFRStream, deadline: NIODeadline,
        promise: EventLoopPromise<[ResourceRecord]>
    ) {
        self.request = request
        self.stream = stream
        self.deadline = deadline
        self.promise = promise
    }

    func channelActive(context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: request.count + 2)
        buffer.writeInteger(UInt16(request.count))
        buffer.writeBytes(request)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = bound.value
            handler.fail(
                ZoneTransferError(
                    .timeout,
                    "AXFR of \(handler.stream.zone) from \(handler.stream.server): not complete before the deadline (\(handler.stream.messages) message(s), \(handler.stream.records.count) record(s) received)"
                ), context: context)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !finished else { return }
        var incoming = unwrapInboundIn(data)
        if received == nil {
            received = incoming
        } else {
            received!.writeBuffer(&incoming)
        }
        while !finished, let length = received?.getInteger(at: received!.readerIndex, as: UInt16.self),
            received!.readableBytes >= 2 + Int(length)
        {
            received!.moveReaderIndex(forwardBy: 2)
            guard length > 0 else {
                fail(
                    ZoneTransferError(
                        .malformedResponse,
                        "AXFR of \(stream.zone) from \(stream.server): an empty frame after \(stream.messages) message(s)"
                    ), context: context)
                return
            }
            let frame = received!.readBytes(length: Int(length))!
            do {
                if try stream.receive(frame) {
                    try stream.finish()
                    succeed(context: context)
                }
            } catch {
                fail(error, context: context)
            }
        }
        received?.discardReadBytes()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(
            ZoneTransferError(
                .connectionFailed,
                "AXFR of \(stream.zone) from \(stream.server): the TCP connection failed: \(error)"),
            context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !finished {
            // A partial frame left in the buffer is a truncated message: the stream is incomplete.
            do {
                try stream.finish()
                succeed(context: context)
            } catch {
                fail(error, context: context)
            }
        }
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        if !finished {
            finished = true
            promise.fail(
                ZoneTransferError(
                    .connectionFailed,
                    "AXFR of \(stream.zone) from \(stream.server): the connection closed before the transfer ended"
                ))
        }
    }

    private func succeed(context: ChannelHandlerContext) {
        guard !finished else { return }
        finished = true
        timer?.cancel()
        promise.succeed(stream.records)
        received = nil
        context.close(promise: nil)
    }

    private func fail(_ error: ZoneTransferError, context: ChannelHandlerContext) {
        guard !finished else { return }
        finished = true
        timer?.cancel()
        promise.fail(error)
        received = nil
        context.close(promise: nil)
    }
}
