import DNS
import NIOCore
import NIOPosix
import Synchronization

/// A tiny DNS server for client unit tests: UDP and TCP on the same port of `host`, answering
/// each request with the messages `respond` returns (none: silence, to provoke a timeout).
final class FakeDNSServer: Sendable {
    typealias Responder = @Sendable (_ request: DNSMessage, _ transport: DNSTransport) -> [[UInt8]]
    /// Like `Responder`, with the request's octets too (to verify its TSIG).
    typealias RawResponder =
        @Sendable (_ request: DNSMessage, _ bytes: [UInt8], _ transport: DNSTransport) -> [[UInt8]]

    let address: SocketAddress
    private let udp: any Channel
    private let tcp: any Channel
    private let counts: Counts

    /// Requests received per transport.
    final class Counts: Sendable {
        let udp = Atomic<Int>(0)
        let tcp = Atomic<Int>(0)
    }

    var udpRequests: Int { counts.udp.load(ordering: .sequentiallyConsistent) }
    var tcpRequests: Int { counts.tcp.load(ordering: .sequentiallyConsistent) }

    convenience init(host: String = "127.0.0.1", respond: @escaping Responder) async throws {
        try await self.init(host: host, raw: { request, _, transport in respond(request, transport) })
    }

    init(host: String = "127.0.0.1", raw respond: @escaping RawResponder) async throws {
        let counts = Counts()
        let group = MultiThreadedEventLoopGroup.singleton
        var lastError: any Error = CancellationError()
        var started: (any Channel, any Channel, SocketAddress)?
        for _ in 0..<10 {
            let udp = try await DatagramBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            FakeDatagramHandler(respond: respond, counts: counts))
                    }
                }
                .bind(host: host, port: 0).get()
            let port = udp.localAddress!.port!
            do {
                // The same number for TCP may be taken: then try another UDP port.
                let tcp = try await ServerBootstrap(group: group)
                    .childChannelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(
                                FakeStreamHandler(respond: respond, counts: counts))
                        }
                    }
                    .bind(host: host, port: port).get()
                started = (udp, tcp, try SocketAddress(ipAddress: host, port: port))
                break
            } catch {
                lastError = error
                try? await udp.close()
            }
        }
        guard let started else { throw lastError }
        (self.udp, self.tcp, self.address) = started
        self.counts = counts
    }

    func stop() async {
        try? await udp.close()
        try? await tcp.close()
    }

    /// The answer to `request`: same ID and question, QR set, with `code` and `answers`.
    static func answer(
        _ request: DNSMessage, code: ResponseCode = .noError, answers: [ResourceRecord] = [],
        truncated: Bool = false, id: UInt16? = nil
    ) -> [UInt8] {
        var response = DNSMessage(
            id: id ?? request.id, isResponse: true, opcode: request.opcode, isAuthoritative: true,
            isTruncated: truncated, responseCode: code, questions: request.questions, answers: answers)
        if code.rawValue > 0xF { response.edns = EDNS() }
        return try! response.encode()
    }
}

private final class FakeDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>
    let respond: FakeDNSServer.RawResponder
    let counts: FakeDNSServer.Counts

    init(respond: @escaping FakeDNSServer.RawResponder, counts: FakeDNSServer.Counts) {
        self.respond = respond
        self.counts = counts
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let received = Array(envelope.data.readableBytesView)
        guard let request = try? DNSMessage(decoding: received) else { return }
        counts.udp.add(1, ordering: .sequentiallyConsistent)
        for bytes in respond(request, received, .udp) {
            let buffer = context.channel.allocator.buffer(bytes: bytes)
            context.write(
                wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: buffer)),
                promise: nil)
        }
        context.flush()
    }
}

private final class FakeStreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let respond: FakeDNSServer.RawResponder
    let counts: FakeDNSServer.Counts
    var received = ByteBuffer()

    init(respond: @escaping FakeDNSServer.RawResponder, counts: FakeDNSServer.Counts) {
        self.respond = respond
        self.counts = counts
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        received.writeBuffer(&incoming)
        while let length = received.getInteger(at: received.readerIndex, as: UInt16.self),
            received.readableBytes >= 2 + Int(length)
        {
            received.moveReaderIndex(forwardBy: 2)
            let frame = received.readBytes(length: Int(length))!
            guard let request = try? DNSMessage(decoding: frame) else { continue }
            counts.tcp.add(1, ordering: .sequentiallyConsistent)
            for bytes in respond(request, frame, .tcp) {
                var buffer = context.channel.allocator.buffer(capacity: bytes.count + 2)
                buffer.writeInteger(UInt16(bytes.count))
                buffer.writeBytes(bytes)
                context.write(wrapOutboundOut(buffer), promise: nil)
            }
            context.flush()
        }
    }
}
