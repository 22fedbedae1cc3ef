import NIOCore

/// Sends each datagram written with `metadata.packetInfo` from that address, with sendmsg and an
/// IP_PKTINFO or IPV6_PKTINFO control message on the channel's own socket (NIO 2.101 ignores
/// `packetInfo` on writes). Other writes pass through to NIO unchanged.
///
/// Invariant: `descriptor` is the socket of the channel this handler is in, and it is used only
/// on the channel's event loop while the channel is active. NIO marks a channel inactive before
/// it runs any code after closing its socket, so the descriptor is never one that was closed (and
/// maybe reused for another file).
final class SourceAddressedWriter: ChannelOutboundHandler {
    typealias OutboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let descriptor: CInt
    /// Datagrams written since the last flush, sent at the next one as NIO would.
    private var pending: [(envelope: AddressedEnvelope<ByteBuffer>, promise: EventLoopPromise<Void>?)] = []

    init(descriptor: CInt) {
        self.descriptor = descriptor
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let envelope = unwrapOutboundIn(data)
        guard envelope.metadata?.packetInfo != nil else {
            context.write(data, promise: promise)
            return
        }
        pending.append((envelope, promise))
    }

    func flush(context: ChannelHandlerContext) {
        let batch = pending
        pending.removeAll(keepingCapacity: true)
        for (envelope, promise) in batch {
            // A promise's callback may close the channel halfway through the batch.
            guard context.channel.isActive, let source = envelope.metadata?.packetInfo else {
                promise?.fail(ChannelError.ioOnClosedChannel)
                continue
            }
            do {
                try SourceAddressedDatagram.send(
                    envelope.data, to: envelope.remoteAddress, from: source, on: descriptor)
                promise?.succeed()
            } catch {
                promise?.fail(error)
            }
        }
        context.flush()
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        failPending()
        context.close(mode: mode, promise: promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        failPending()
    }

    private func failPending() {
        let abandoned = pending
        pending.removeAll()
        for (_, promise) in abandoned {
            promise?.fail(ChannelError.ioOnClosedChannel)
        }
    }
}
