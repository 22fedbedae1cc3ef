import NIOCore
import NIOPosix

/// Sends batches of commands to HAProxy's runtime API and returns one answer per command.
///
/// A batch is one connection in prompt mode: `prompt`, the commands one per line, `quit`.
/// HAProxy runs them in order and closes the connection; the answers are split at its prompts.
/// Every batch is bounded in time (`timeout`) and in size (`maximumAnswerBytes`).
public struct HAProxyRuntimeClient: Sendable {
    public let socket: HAProxySocket
    public let timeout: Duration
    public let maximumAnswerBytes: Int
    private let eventLoopGroup: any EventLoopGroup

    public init(
        socket: HAProxySocket, timeout: Duration = .seconds(2), maximumAnswerBytes: Int = 4 << 20,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.socket = socket
        self.timeout = timeout
        self.maximumAnswerBytes = maximumAnswerBytes
        self.eventLoopGroup = eventLoopGroup
    }

    /// The answers to `commands`, in order, each without trailing newlines. Commands must be
    /// single lines: a line break would make HAProxy read two commands.
    public func run(_ commands: [String]) async throws(HAProxyRuntimeError) -> [String] {
        guard !commands.isEmpty else { return [] }
        if let bad = commands.first(where: { $0.contains("\n") || $0.contains("\r") || $0.contains(";") }) {
            throw HAProxyRuntimeError(
                .rejected, "refusing to send a command with a line break or ';': \(bad.prefix(80))")
        }
        let request = "prompt\n" + commands.map { $0 + "\n" }.joined() + "quit\n"
        let bytes = try await exchange(request)
        let text = String(decoding: bytes.readableBytesView, as: UTF8.self)
        return try HAProxyRuntimeAnswers.split(text, expected: commands.count)
    }

    private func exchange(_ request: String) async throws(HAProxyRuntimeError) -> ByteBuffer {
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        let eventLoop = eventLoopGroup.next()
        let promise = eventLoop.makePromise(of: ByteBuffer.self)
        let address: SocketAddress
        do {
            switch socket {
            case .unix(let path): address = try SocketAddress(unixDomainSocketPath: path)
            case .tcp(let server):
                address = try SocketAddress.makeAddressResolvingHost(server.host, port: server.port)
            }
        } catch {
            promise.fail(error)
            throw HAProxyRuntimeError(.connectionFailed, "\(socket): invalid address: \(error)")
        }
        let limit = maximumAnswerBytes
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoop)
                .connectTimeout(TimeAmount(timeout))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            HAProxyExchangeHandler(
                                request: request, limit: limit, deadline: deadline, promise: promise))
                    }
                }
                .connect(to: address).get()
        } catch {
            promise.fail(error)
            throw HAProxyRuntimeError(
                .connectionFailed, "cannot connect to HAProxy's runtime API at \(socket): \(error)")
        }
        do {
            return try await withTaskCancellationHandler {
                try await promise.futureResult.get()
            } onCancel: {
                channel.close(promise: nil)
            }
        } catch let error as HAProxyRuntimeError {
            throw HAProxyRuntimeError(error.code, "\(socket): \(error.message)")
        } catch {
            throw HAProxyRuntimeError(.connectionFailed, "\(socket): \(error)")
        }
    }
}
