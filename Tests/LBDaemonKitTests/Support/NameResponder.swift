import NIOCore
import NIOPosix
import Synchronization

/// Tiny HTTP servers standing for a service's nodes behind HAProxy: each answers every request
/// with its own name as the body, then closes the connection, and counts what it answered.
final class NameResponder: Sendable {
    let name: String
    let host: String
    private let channel: any Channel
    private let served: Counter

    private init(name: String, host: String, channel: any Channel, served: Counter) {
        self.name = name
        self.host = host
        self.channel = channel
        self.served = served
    }

    var port: Int { channel.localAddress?.port ?? 0 }

    /// How many requests it answered so far.
    var requests: Int { served.count.withLock { $0 } }

    /// One responder per host, all on one port (HAProxy adds every server on `server_port`);
    /// retried on another port if a host has it taken.
    static func start(hosts: [String]) async throws -> (responders: [NameResponder], port: Int) {
        for _ in 0..<5 {
            var responders: [NameResponder] = []
            var port = 0
            do {
                for host in hosts {
                    let responder = try await start(name: host, host: host, port: port)
                    responders.append(responder)
                    port = responder.channel.localAddress?.port ?? 0
                }
                return (responders, port)
            } catch {
                for responder in responders { await responder.stop() }
            }
        }
        throw NameResponderError()
    }

    static func start(name: String, host: String, port: Int) async throws -> NameResponder {
        let counter = Counter()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        NameResponderHandler(name: name, counter: counter))
                }
            }
            .bind(host: host, port: port).get()
        return NameResponder(name: name, host: host, channel: channel, served: counter)
    }

    func stop() async {
        try? await channel.close()
    }
}

struct NameResponderError: Error {}

/// The requests answered, shared by the connections of one responder.
final class Counter: Sendable {
    let count = Mutex(0)
}

/// Reads one request head, answers the name and closes.
private final class NameResponderHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let name: String
    private let counter: Counter
    private var received = ByteBuffer()
    private var answered = false

    init(name: String, counter: Counter) {
        self.name = name
        self.counter = counter
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        guard !answered, received.readableBytes < 65_536 else { return }
        received.writeBuffer(&incoming)
        guard received.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8)) != nil else { return }
        answered = true
        counter.count.withLock { $0 += 1 }
        let response =
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: \(name.utf8.count)\r\n"
            + "Connection: close\r\n\r\n\(name)"
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: response)))
            .whenComplete { _ in
                bound.value.close(promise: nil)
            }
    }
}
