import NIOCore
import NIOPosix
import Synchronization

/// A fake HAProxy runtime API on 127.0.0.1: each connection reads the batch up to its `quit`
/// line, like HAProxy, then gets the next scripted answer (the last one repeats) and is closed.
/// It stands for an HAProxy that answers garbage or is cut off mid-answer.
final class ScriptedRuntimeAPI: Sendable {
    private let channel: any Channel
    private let connections: Counter

    var port: Int { channel.localAddress?.port ?? 0 }

    /// How many batches were answered.
    var batches: Int { connections.count.withLock { $0 } }

    init(answers: [String]) async throws {
        precondition(!answers.isEmpty)
        let connections = Counter()
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ScriptedRuntimeAPIHandler(answers: answers, connections: connections))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        self.connections = connections
    }

    func stop() async { try? await channel.close() }
}

private final class ScriptedRuntimeAPIHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let answers: [String]
    private let connections: Counter
    private var received = ByteBuffer()
    private var answered = false

    init(answers: [String], connections: Counter) {
        self.answers = answers
        self.connections = connections
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        guard !answered, received.readableBytes < 65_536 else { return }
        received.writeBuffer(&incoming)
        guard received.readableBytesView.firstRange(of: Array("quit\n".utf8)) != nil else { return }
        answered = true
        let index = connections.count.withLock { count in
            defer { count += 1 }
            return min(count, answers.count - 1)
        }
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: answers[index])))
            .whenComplete { _ in bound.value.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
}
