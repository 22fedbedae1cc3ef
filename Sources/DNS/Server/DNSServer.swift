import NIOCore
import NIOPosix
import Synchronization

/// The embedded authoritative DNS server: answers queries from a `ZoneStore` over UDP and TCP
/// on one address and port.
///
/// Each TCP connection is its own channel with its own idle timeout and size limit, and answers
/// are computed on the event loop without blocking, so a slow or silent client delays nobody
/// else.
public final class DNSServer: Sendable {
    /// Why the server could not start.
    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    private struct Channels {
        var tcp: Channel?
        var udp: Channel?
        var connections: [ObjectIdentifier: Channel] = [:]
        var stopped = false
    }

    /// How many times a free TCP port is taken again when its UDP twin is in use.
    static let bindAttempts = 8

    public let configuration: DNSServerConfiguration
    private let group: EventLoopGroup
    private let processor: DNSQueryProcessor
    private let channels = Mutex(Channels())

    /// A server for the zones in `store`, answering through `responder`, on `group`'s loops.
    public init(
        configuration: DNSServerConfiguration, store: ZoneStore,
        responder: AuthoritativeResponder = AuthoritativeResponder(),
        group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.group = group
        self.processor = DNSQueryProcessor(
            store: store, responder: responder, transferSources: configuration.transferSources,
            updateKeys: configuration.updateKeys)
    }

    /// Binds TCP and UDP and returns the address both listen on. With port 0, TCP is bound first
    /// to a free port and UDP to the same one, again with a new port if that UDP port is taken.
    @discardableResult
    public func start() async throws -> SocketAddress {
        let attempts = configuration.port == 0 ? Self.bindAttempts : 1
        var lastError: Error?
        for _ in 0..<attempts {
            let tcp = try await bindTCP(port: configuration.port)
            guard let port = tcp.localAddress?.port else {
                try? await tcp.close()
                throw StartError(description: "the TCP socket has no local port")
            }
            do {
                let udp = try await bindUDP(port: port)
                let stopped = channels.withLock { channels in
                    if channels.stopped { return true }
                    channels.tcp = tcp
                    channels.udp = udp
                    return false
                }
                if stopped {
                    try? await tcp.close()
                    try? await udp.close()
                    throw StartError(description: "the server was stopped while starting")
                }
                guard let address = tcp.localAddress else {
                    throw StartError(description: "no local address")
                }
                return address
            } catch let error as StartError {
                throw error
            } catch {
                lastError = error
                try? await tcp.close()
            }
        }
        throw lastError ?? StartError(description: "cannot bind \(configuration.host):\(configuration.port)")
    }

    /// The address the server listens on, once started.
    public var localAddress: SocketAddress? {
        channels.withLock { $0.tcp?.localAddress }
    }

    /// Closes both sockets and every open TCP connection. The server cannot be started again.
    public func stop() async {
        let open = channels.withLock { channels in
            channels.stopped = true
            let open = [channels.tcp, channels.udp].compactMap { $0 } + Array(channels.connections.values)
            channels.tcp = nil
            channels.udp = nil
            channels.connections = [:]
            return open
        }
        for channel in open { try? await channel.close() }
    }

    private func bindTCP(port: Int) async throws -> Channel {
        let processor = self.processor
        let configuration = self.configuration
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [weak self] channel in
                self?.track(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        IdleStateHandler(readTimeout: configuration.tcpIdleTimeout),
                        ByteToMessageHandler(
                            DNSTCPFrameDecoder(maximumSize: configuration.maximumTCPQuerySize)),
                        DNSTCPHandler(processor: processor),
                    ])
                }
            }
            .bind(host: configuration.host, port: port)
            .get()
    }

    private func bindUDP(port: Int) async throws -> Channel {
        let processor = self.processor
        let maximum = configuration.maximumUDPResponseSize
        return try await DatagramBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        DNSUDPHandler(processor: processor, maximumResponseSize: maximum))
                }
            }
            .bind(host: configuration.host, port: port)
            .get()
    }

    /// Remembers an open connection so `stop()` can close it; forgets it when it closes.
    private func track(_ channel: Channel) {
        let key = ObjectIdentifier(channel)
        let accepted = channels.withLock { channels in
            guard !channels.stopped else { return false }
            channels.connections[key] = channel
            return true
        }
        guard accepted else {
            channel.close(promise: nil)
            return
        }
        channel.closeFuture.whenComplete { [weak self] _ in
            self?.channels.withLock { _ = $0.connections.removeValue(forKey: key) }
        }
    }
}
