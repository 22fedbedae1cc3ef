import NIOCore

/// The owner of a UDP server socket (the agent, the notification listener), which handles each
/// datagram on the channel's event loop.
protocol DatagramOwner: AnyObject, Sendable {
    func handle(_ datagram: AddressedEnvelope<ByteBuffer>, on channel: any Channel)
}

/// Hands each datagram a socket receives to its owner. It holds the owner weakly, so that an
/// owner dropped without `stop()` can still be freed (and close its socket).
final class OwnedDatagramHandler<Owner: DatagramOwner>: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private weak var owner: Owner?

    init(owner: Owner?) {
        self.owner = owner
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        owner?.handle(unwrapInboundIn(data), on: context.channel)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A UDP socket reports ICMP port-unreachable from earlier replies as errors: not fatal.
    }
}
