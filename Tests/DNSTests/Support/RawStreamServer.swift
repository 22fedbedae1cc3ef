import DNS
import NIOCore
import NIOPosix

/// A TCP server on 127.0.0.1 that answers the first framed request of each connection with
/// octets the test writes itself (frames cut short, endless streams...), for the zone transfer
/// client's tests. A connection left open (`Reply.close` false) is closed by the client.
final class RawStreamServer: Sendable {
    /// What to send for a request, and whether to close the connection after it.
    struct Reply: Sendable {
        var bytes: [UInt8]
        var close: Bool = true
    }

    let address: SocketAddress
    private let channel: any Channel

    init(reply: @escaping @Sendable (DNSMessage) -> Reply) async throws {
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RawReplyHandler(reply: reply))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        address = try SocketAddress(ipAddress: "127.0.0.1", port: channel.localAddress!.port!)
    }

    func stop() async {
        try? await channel.close()
    }

    /// `message` with its 2-octet length prefix.
    static func frame(_ message: DNSMessage) -> [UInt8] {
        frame(try! message.encode())
    }

    static func frame(_ bytes: [UInt8]) -> [UInt8] {
        [UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes
    }

    /// The answer to `request` holding `records`, framed.
    static func answer(
        _ request: DNSMessage, _ records: [ResourceRecord], first: Bool = true, id: UInt16? = nil
    )
        -> [UInt8]
    {
        frame(
            DNSMessage(
                id: id ?? request.id, isResponse: true, isAuthoritative: true,
                questions: first ? request.questions : [], answers: records))
    }
}

private final class RawReplyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let reply: @Sendable (DNSMessage) -> RawStreamServer.Reply
    var received = ByteBuffer()
    var answered = false

    init(reply: @escaping @Sendable (DNSMessage) -> RawStreamServer.Reply) {
        self.reply = reply
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        received.writeBuffer(&incoming)
        guard !answered, let length = received.getInteger(at: received.readerIndex, as: UInt16.self),
            received.readableBytes >= 2 + Int(length)
        else { return }
        received.moveReaderIndex(forwardBy: 2)
        let frame = received.readBytes(length: Int(length))!
        guard let request = try? DNSMessage(decoding: frame) else { return }
        answered = true
        let answer = reply(request)
        let buffer = context.channel.allocator.buffer(bytes: answer.bytes)
        if answer.close {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in channel.close(promise: nil) }
        } else {
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
