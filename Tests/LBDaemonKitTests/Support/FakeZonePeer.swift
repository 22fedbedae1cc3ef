import DNS
import LBDaemonKit
import NIOCore
import NIOPosix

/// A peer lbd that answers SOA queries over UDP with `serial` and AXFR requests over TCP with
/// octets the test writes itself (garbage, a zone out of bounds...), on one port of 127.0.0.1:
/// what a `ZoneFollower` must survive.
final class FakeZonePeer: Sendable {
    let address: SocketAddress
    private let udp: any Channel
    private let tcp: any Channel

    /// - Parameters:
    ///   - soa: the SOA answered for the zone asked (nil: REFUSED).
    ///   - transfer: the framed octets sent back for an AXFR request; the connection then closes.
    init(
        soa: @escaping @Sendable (DomainName) -> StartOfAuthority?,
        transfer: @escaping @Sendable (DNSMessage) -> [UInt8]
    ) async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        var lastError: any Error = CancellationError()
        var started: (any Channel, any Channel, SocketAddress)?
        for _ in 0..<10 {
            let udp = try await DatagramBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(SOAHandler(soa: soa))
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            let port = udp.localAddress!.port!
            do {
                // The same number for TCP may be taken: then try another UDP port.
                let tcp = try await ServerBootstrap(group: group)
                    .childChannelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(
                                TransferHandler(transfer: transfer))
                        }
                    }
                    .bind(host: "127.0.0.1", port: port).get()
                started = (udp, tcp, try SocketAddress(ipAddress: "127.0.0.1", port: port))
                break
            } catch {
                lastError = error
                try? await udp.close()
            }
        }
        guard let started else { throw lastError }
        (self.udp, self.tcp, self.address) = started
    }

    var serverAddress: ServerAddress { ServerAddress(host: "127.0.0.1", port: address.port!) }

    func stop() async {
        try? await udp.close()
        try? await tcp.close()
    }

    /// `message` with its 2-octet length prefix.
    static func frame(_ message: DNSMessage) -> [UInt8] {
        let bytes = try! message.encode()
        return [UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes
    }

    /// A whole transfer of `records` between two copies of `soa`, answering `request`.
    static func transfer(_ request: DNSMessage, soa: StartOfAuthority, _ records: [ResourceRecord]) -> [UInt8]
    {
        let apex = request.questions[0].name
        let soaRecord = ResourceRecord(name: apex, ttl: 3600, data: .soa(soa))
        return frame(
            DNSMessage(
                id: request.id, isResponse: true, isAuthoritative: true, questions: request.questions,
                answers: [soaRecord] + records + [soaRecord]))
    }
}

private final class SOAHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>
    let soa: @Sendable (DomainName) -> StartOfAuthority?

    init(soa: @escaping @Sendable (DomainName) -> StartOfAuthority?) {
        self.soa = soa
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let request = try? DNSMessage(decoding: Array(envelope.data.readableBytesView)),
            let question = request.questions.first
        else { return }
        var answer = DNSMessage(
            id: request.id, isResponse: true, isAuthoritative: true, questions: request.questions,
            edns: request.edns.map { _ in EDNS() })
        if let soa = soa(question.name) {
            answer.answers = [ResourceRecord(name: question.name, ttl: 3600, data: .soa(soa))]
        } else {
            answer.isAuthoritative = false
            answer.responseCode = .refused
        }
        let buffer = context.channel.allocator.buffer(bytes: try! answer.encode())
        context.writeAndFlush(
            wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: buffer)),
            promise: nil)
    }
}

private final class TransferHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let transfer: @Sendable (DNSMessage) -> [UInt8]
    var received = ByteBuffer()

    init(transfer: @escaping @Sendable (DNSMessage) -> [UInt8]) {
        self.transfer = transfer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        received.writeBuffer(&incoming)
        guard let length = received.getInteger(at: received.readerIndex, as: UInt16.self),
            received.readableBytes >= 2 + Int(length)
        else { return }
        received.moveReaderIndex(forwardBy: 2)
        guard let request = try? DNSMessage(decoding: received.readBytes(length: Int(length))!) else {
            return
        }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(channel.allocator.buffer(bytes: transfer(request))))
            .whenComplete { _ in channel.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
