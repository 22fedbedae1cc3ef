import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import SNMP

/// A v2c responder that answers each GET with the request-id it carried, the first one late.
private final class DelayingResponder: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    let firstDelay: TimeAmount
    let seen = Mutex<[Int32]>([])

    init(firstDelay: TimeAmount) {
        self.firstDelay = firstDelay
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        var buffer = envelope.data
        guard let bytes = buffer.readBytes(length: buffer.readableBytes),
            let request = try? CommunityMessage(decoding: bytes)
        else { return }
        let index = seen.withLock { seen in
            seen.append(request.pdu.requestID)
            return seen.count
        }
        let response = CommunityMessage(
            version: .v2c, community: request.community,
            pdu: PDU(
                kind: .response, requestID: request.pdu.requestID,
                variableBindings: request.pdu.variableBindings.map {
                    VariableBinding(oid: $0.oid, value: .integer(request.pdu.requestID))
                }))
        let reply = AddressedEnvelope(
            remoteAddress: envelope.remoteAddress,
            data: context.channel.allocator.buffer(bytes: response.encoded()))
        let channel = context.channel
        channel.eventLoop.scheduleTask(in: index == 1 ? firstDelay : .zero) {
            channel.writeAndFlush(reply, promise: nil)
        }
    }
}

@Suite struct ClientLateReplyTests {
    @Test func aLateReplyToATimedOutAttemptIsDroppedAndTheRetryAnswers() async throws {
        let responder = DelayingResponder(firstDelay: .milliseconds(400))
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(responder)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let address = try #require(channel.localAddress)
        let client = try await SNMPClient.start()
        let values = try await client.get(
            [OID("1.3.6.1.4.1.96.255.1")!], from: address, credentials: .community("public"),
            timeout: .milliseconds(200), retries: 1)
        let ids = responder.seen.withLock { $0 }
        #expect(ids.count == 2)
        #expect(ids.count == 2 && ids[0] != ids[1])
        // The answer is the retry's, not the first attempt's (which arrives after it, and is dropped).
        #expect(values.first?.value == .integer(ids.last ?? 0))
        try await Task.sleep(for: .milliseconds(400))
        #expect(client.requestsInFlight == 0)
        await client.shutdown()
        try await channel.close()
    }
}
