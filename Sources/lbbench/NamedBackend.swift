import NIOCore
import NIOPosix

/// A TCP backend for the HAProxy benchmark: every connection gets the backend's name and a
/// newline, then is closed, so the client sees which node HAProxy chose.
final class NamedBackend: Sendable {
    let port: Int
    private let channel: any Channel

    private final class Handler: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let name: String
        init(name: String) { self.name = name }

        func channelActive(context: ChannelHandlerContext) {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: name + "\n")))
                .whenComplete { _ in channel.close(promise: nil) }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
    }

    /// Listens on `host`:`port` (0: a free port).
    init(name: String, host: String, port: Int) async throws {
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(Handler(name: name))
                }
            }
            .bind(host: host, port: port).get()
        guard let port = channel.localAddress?.port else {
            throw BenchmarkError("backend \(name) has no port")
        }
        self.port = port
    }

    func stop() async { try? await channel.close() }
}
