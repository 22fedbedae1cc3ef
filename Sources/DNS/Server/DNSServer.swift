import NIOCore
import NIOPosix
import Synchronization
import UDPReplySource

/// The embedded authoritative DNS server: answers queries from a `ZoneStore` over UDP and TCP
/// on one address and port; bound to `0.0.0.0` or `::`, it answers each query from the address
/// the query was sent to.
///
/// The server runs on threads of its own, so that a flood of queries cannot delay whatever else
/// the process does on NIO's shared loops, such as polling: on Linux one thread per UDP socket
/// (`DNSUDPWorker`, which reads and answers batches of datagrams without NIO and keeps the
/// answers to plain queries), and event loops of its own for TCP (unless given a group). Where
/// the system lacks recvmmsg, the UDP sockets are read on those event loops too.
///
/// Each TCP connection is its own channel with its own deadlines and size limits, and answers
/// are computed on the event loop without blocking, so a slow or silent client delays nobody
/// else. Connections are limited in all and per client address, with a reserve kept for the
/// transfer sources, so that no client can take every connection from the secondaries.
public final class DNSServer: Sendable {
    /// Why the server could not start.
    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    private struct Channels {
        var tcp: Channel?
        var udp: [Channel] = []
        var workers: [DNSUDPWorker] = []
        var connections: [ObjectIdentifier: Channel] = [:]
        /// Open connections per client address.
        var perSource: [String: Int] = [:]
        var notifying: Task<Void, Never>?
        var observer: Int?
        var stopped = false
    }

    /// How many datagrams one read takes from the kernel.
    static let datagramsPerRead = 16
    /// The longest datagram read whole; a longer one is cut, fails to decode and is answered
    /// FORMERR. Clients send larger messages over TCP.
    static let largestDatagram = 8192

    /// The UDP receive buffer asked for (the kernel caps it at net.core.rmem_max).
    static let receiveBufferSize = 4 << 20

    /// How many times a free TCP port is taken again when its UDP twin is in use.
    static let bindAttempts = 8

    public let configuration: DNSServerConfiguration
    private let group: EventLoopGroup
    /// The group the server made for itself and shuts down when it stops; nil when given one.
    private let ownGroup: MultiThreadedEventLoopGroup?
    private let store: ZoneStore
    private let processor: DNSQueryProcessor
    private let notifier: ZoneNotifier
    private let channels = Mutex(Channels())

    /// A server for the zones in `store`, answering through `responder`: UDP on threads of its
    /// own (see the type's documentation), TCP on `group`'s loops, or without a group on loops of
    /// its own (at least one per core and per UDP socket), shut down by `stop()`. `onNotify`
    /// hears what became of each NOTIFY sent to a secondary.
    public init(
        configuration: DNSServerConfiguration, store: ZoneStore,
        responder: AuthoritativeResponder = AuthoritativeResponder(),
        group: EventLoopGroup? = nil,
        onNotify: @escaping @Sendable (ZoneNotification) -> Void = { _ in }
    ) {
        self.configuration = configuration
        if let group {
            self.group = group
            self.ownGroup = nil
        } else {
            let own = MultiThreadedEventLoopGroup(
                numberOfThreads: max(System.coreCount, configuration.udpSockets, 1))
            self.group = own
            self.ownGroup = own
        }
        let group = self.group
        self.store = store
        self.processor = DNSQueryProcessor(store: store, responder: responder, configuration: configuration)
        self.notifier = ZoneNotifier(
            store: store, configuration: configuration, client: DNSClient(eventLoopGroup: group),
            report: onNotify)
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
                let udp: [Channel]
                let workers: [DNSUDPWorker]
                if DatagramBatchCalls.available {
                    workers = try bindWorkers(port: port)
                    udp = []
                    // Started before the server can be stopped, so that `stop()` joins every
                    // thread it finds.
                    do {
                        for worker in workers { try worker.start() }
                    } catch {
                        for worker in workers {
                            worker.join()
                            worker.close()
                        }
                        try? await tcp.close()
                        throw StartError(description: "cannot start the UDP threads: \(error)")
                    }
                } else {
                    udp = try await bindUDP(port: port)
                    workers = []
                }
                let stopped = channels.withLock { channels in
                    if channels.stopped { return true }
                    channels.tcp = tcp
                    channels.udp = udp
                    channels.workers = workers
                    return false
                }
                if stopped {
                    try? await tcp.close()
                    for channel in udp { try? await channel.close() }
                    for worker in workers {
                        worker.join()
                        worker.close()
                    }
                    throw StartError(description: "the server was stopped while starting")
                }
                guard let address = tcp.localAddress else {
                    throw StartError(description: "no local address")
                }
                startNotifying()
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

    /// Closes the sockets and every open TCP connection and stops sending NOTIFYs (one in flight
    /// is abandoned). The server cannot be started again.
    public func stop() async {
        let (open, notifying, observer, workers) = channels.withLock { channels in
            channels.stopped = true
            let open = [channels.tcp].compactMap { $0 } + channels.udp + Array(channels.connections.values)
            let stopped = (open, channels.notifying, channels.observer, channels.workers)
            channels.tcp = nil
            channels.udp = []
            channels.workers = []
            channels.connections = [:]
            channels.perSource = [:]
            channels.notifying = nil
            channels.observer = nil
            return stopped
        }
        if let observer { store.removeObserver(observer) }
        // Each worker ends within one batch once woken, so joining blocks this thread briefly.
        for worker in workers {
            worker.join()
            worker.close()
        }
        notifying?.cancel()
        await notifying?.value
        for channel in open { try? await channel.close() }
        try? await ownGroup?.shutdownGracefully()
    }

    /// The event loops the server runs on: its own unless it was given a group.
    public var eventLoopGroup: EventLoopGroup { group }

    /// The CPU time the UDP threads have used so far (0 when UDP is served on the event loops,
    /// and once the server has stopped).
    public var udpThreadCPUSeconds: Double {
        channels.withLock { $0.workers }.reduce(0) { $0 + $1.cpuSeconds }
    }

    /// How many TCP connections are open now.
    public var openTCPConnections: Int {
        channels.withLock { $0.connections.count }
    }

    /// Announces every zone to the secondaries, as a restarted primary should, then each change.
    private func startNotifying() {
        guard !configuration.notifyTargets.isEmpty else { return }
        let notifier = self.notifier
        let observer = store.addObserver { notifier.zoneChanged($0.origin) }
        for origin in store.zones.keys.sorted(by: { $0.description < $1.description }) {
            notifier.zoneChanged(origin)
        }
        let task = Task { await notifier.run() }
        let stopped = channels.withLock { channels in
            if channels.stopped { return true }
            channels.notifying = task
            channels.observer = observer
            return false
        }
        if stopped {
            store.removeObserver(observer)
            task.cancel()
        }
    }

    private func bindTCP(port: Int) async throws -> Channel {
        let processor = self.processor
        let configuration = self.configuration
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // A fixed kernel send buffer, as large as the bound on queued answers: autotuned, it
            // grows to megabytes for a client that never reads before the bound comes into play.
            .childChannelOption(
                .socketOption(.so_sndbuf), value: SocketOptionValue(configuration.maximumTCPOutputBytes)
            )
            .childChannelInitializer { [weak self] channel in
                guard let self, self.track(channel) else {
                    return channel.close()
                }
                return channel.eventLoop.makeCompletedFuture {
                    try Self.addTCPHandlers(to: channel, processor: processor, configuration: configuration)
                }
            }
            .bind(host: configuration.host, port: port)
            .get()
    }

    /// Binds `udpSockets` sockets to `port`, sharing it with SO_REUSEPORT when more than one,
    /// so the kernel spreads datagrams over them and each is read on its own event loop. On a
    /// wildcard address each answer leaves from the address its query was sent to.
    private func bindUDP(port: Int) async throws -> [Channel] {
        let processor = self.processor
        let maximum = configuration.maximumUDPResponseSize
        let count = max(1, configuration.udpSockets)
        var bound: [Channel] = []
        do {
            for _ in 0..<count {
                let bootstrap = DatagramBootstrap(group: group)
                    // Up to 16 datagrams per system call (recvmmsg). NIO splits the read buffer
                    // evenly between them, and its default buffer (2 KiB) would cut a query
                    // longer than that: each gets `largestDatagram` octets.
                    .channelOption(.datagramVectorReadMessageCount, value: Self.datagramsPerRead)
                    // A burst of queries waits in the kernel while the loop answers; the default
                    // buffer (208 KiB) drops some of a few hundred outstanding queries.
                    .channelOption(.socketOption(.so_rcvbuf), value: Self.receiveBufferSize)
                    .channelOption(
                        .recvAllocator,
                        value: FixedSizeRecvByteBufferAllocator(
                            capacity: Self.datagramsPerRead * Self.largestDatagram)
                    )
                let channel = try await UDPReplySource.bind(
                    bootstrap, host: configuration.host, port: port, reusePort: count > 1
                ) { channel in
                    try channel.pipeline.syncOperations.addHandler(
                        DNSUDPHandler(processor: processor, maximumResponseSize: maximum))
                }
                bound.append(channel)
            }
        } catch {
            for channel in bound { try? await channel.close() }
            throw error
        }
        return bound
    }

    /// Binds `udpSockets` sockets to `port` (sharing it with SO_REUSEPORT when more than one, so
    /// the kernel spreads datagrams over them), each with a worker that is not started yet.
    private func bindWorkers(port: Int) throws -> [DNSUDPWorker] {
        let address = try SocketAddress.makeAddressResolvingHost(configuration.host, port: port)
        let count = max(1, configuration.udpSockets)
        var workers: [DNSUDPWorker] = []
        do {
            for _ in 0..<count {
                let (descriptor, wildcard) = try DNSUDPWorker.bind(
                    address, reusePort: count > 1, receiveBuffer: Self.receiveBufferSize)
                workers.append(
                    DNSUDPWorker(
                        descriptor: descriptor, wildcard: wildcard, processor: processor,
                        maximumResponseSize: configuration.maximumUDPResponseSize,
                        datagramSize: Self.largestDatagram))
            }
        } catch {
            for worker in workers { worker.close() }
            throw error
        }
        return workers
    }

    /// The handlers that frame, answer and police one TCP connection.
    static func addTCPHandlers(
        to channel: Channel, processor: DNSQueryProcessor, configuration: DNSServerConfiguration
    ) throws {
        try channel.pipeline.syncOperations.addHandlers([
            ByteToMessageHandler(DNSTCPFrameDecoder(maximumSize: configuration.maximumTCPQuerySize)),
            DNSTCPHandler(processor: processor, limits: DNSTCPHandler.Limits(configuration)),
        ])
    }

    /// Remembers an open connection so `stop()` can close it, and forgets it when it closes;
    /// false when the server is stopped or the connection is over a limit: the client's address
    /// has `maximumTCPConnectionsPerSource` open already, or `maximumTCPConnections` are open
    /// (plus `transferConnectionReserve` for a transfer source).
    private func track(_ channel: Channel) -> Bool {
        let key = ObjectIdentifier(channel)
        let source = channel.remoteAddress?.ipAddress ?? ""
        let limit =
            configuration.maximumTCPConnections
            + (configuration.transferSources.contains(source)
                ? max(0, configuration.transferConnectionReserve) : 0)
        let perSource = configuration.maximumTCPConnectionsPerSource
        let accepted = channels.withLock { channels in
            guard !channels.stopped, channels.connections.count < limit,
                channels.perSource[source, default: 0] < perSource
            else { return false }
            channels.connections[key] = channel
            channels.perSource[source, default: 0] += 1
            return true
        }
        guard accepted else { return false }
        channel.closeFuture.whenComplete { [weak self] _ in
            self?.channels.withLock { channels in
                guard channels.connections.removeValue(forKey: key) != nil else { return }
                let left = channels.perSource[source, default: 1] - 1
                channels.perSource[source] = left > 0 ? left : nil
            }
        }
        return true
    }
}
