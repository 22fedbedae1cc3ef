import NIOCore
import NIOPosix
import Synchronization

/// A TCP listener speaking HAProxy's agent-check protocol: each connection gets one line from
/// `answer` and is closed.
///
/// Bounded: at most `maximumConnections` connections are served at once (more are closed at
/// once, which HAProxy does not count as a failure), each lives at most `connectionTimeout`.
public final class HAProxyAgentServer: Sendable {
    /// Where and how to listen.
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        /// How long to wait for an `agent-send` line before answering for the whole node.
        public var requestWait: Duration
        /// The longest a connection stays open.
        public var connectionTimeout: Duration
        public var maximumConnections: Int

        public init(
            host: String, port: Int, requestWait: Duration = .milliseconds(50),
            connectionTimeout: Duration = .seconds(2), maximumConnections: Int = 64
        ) {
            self.host = host
            self.port = port
            self.requestWait = requestWait
            self.connectionTimeout = connectionTimeout
            self.maximumConnections = maximumConnections
        }
    }

    public typealias Answer = @Sendable (HAProxyAgentRequest) async -> HAProxyAgentReply

    private let configuration: Configuration
    private let answer: Answer
    private let group: any EventLoopGroup
    private let channel = Mutex<(any Channel)?>(nil)
    private let open = Atomic<Int>(0)
    private let refusedConnections = Atomic<Int>(0)

    public init(
        configuration: Configuration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        answer: @escaping Answer
    ) {
        self.configuration = configuration
        self.group = group
        self.answer = answer
    }

    /// Connections closed unanswered because `maximumConnections` were open.
    public var refused: Int { refusedConnections.load(ordering: .relaxed) }

    /// Binds and starts answering; returns the bound address (port 0 picks a free one).
    @discardableResult
    public func start() async throws -> SocketAddress {
        let configuration = self.configuration
        let answer = self.answer
        let wait = TimeAmount(configuration.requestWait)
        let lifetime = TimeAmount(configuration.connectionTimeout)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 128)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { [self] child in
                guard self.admit(child) else {
                    return child.close()
                }
                return child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(
                        HAProxyAgentHandler(requestWait: wait, connectionTimeout: lifetime, answer: answer))
                }
            }
        let bound = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        channel.withLock { $0 = bound }
        guard let address = bound.localAddress else { throw HAProxyAgentError.noLocalAddress }
        return address
    }

    /// Counts `child` in, or refuses it when the limit is reached.
    private func admit(_ child: any Channel) -> Bool {
        let now = open.wrappingAdd(1, ordering: .relaxed).newValue
        child.closeFuture.whenComplete { [self] _ in
            _ = self.open.wrappingSubtract(1, ordering: .relaxed)
        }
        if now > configuration.maximumConnections {
            _ = refusedConnections.wrappingAdd(1, ordering: .relaxed)
            return false
        }
        return true
    }

    /// Stops listening; connections being answered finish on their own.
    public func stop() async {
        let bound = channel.withLock { channel -> (any Channel)? in
            defer { channel = nil }
            return channel
        }
        try? await bound?.close()
    }
}

/// Why the HAProxy agent could not start.
public enum HAProxyAgentError: Error, CustomStringConvertible {
    case noLocalAddress

    public var description: String {
        switch self {
        case .noLocalAddress: "the HAProxy agent socket has no local address after binding"
        }
    }
}
