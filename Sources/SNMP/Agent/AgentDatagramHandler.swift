import NIOCore

/// Hands each datagram the agent's socket receives to the agent. It holds the agent weakly, so
/// that an agent dropped without `stop()` can still be freed (and close its socket).
final class AgentDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private weak var agent: SNMPAgent?

    init(agent: SNMPAgent?) {
        self.agent = agent
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        agent?.handle(unwrapInboundIn(data), on: context.channel)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A UDP socket reports ICMP port-unreachable from earlier replies as errors: not fatal.
    }
}
