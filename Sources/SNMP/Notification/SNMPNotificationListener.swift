import NIOCore
import NIOPosix
import Synchronization
import UDPReplySource

/// A notification receiver on UDP: it accepts SNMPv3 INFORMs from configured USM users, as their
/// authoritative engine, and v2c traps and informs from accepted communities, and hands each
/// accepted notification to one consumer through `notifications`.
///
/// Everything received is untrusted. Engine-discovery probes get the usual
/// usmStatsUnknownEngineIDs Report, USM failures the RFC 3414 Reports, and everything else that
/// is not accepted is dropped silently; each case is counted in `statistics`. Datagrams are
/// handled on the socket's event loop, one at a time, with no queue of their own: memory stays
/// bounded by the socket buffer and `bufferCapacity`.
///
/// ```swift
/// let listener = SNMPNotificationListener(
///     configuration: SNMPNotificationListenerConfiguration(host: "0.0.0.0", port: 162, users: [user]))
/// let address = try await listener.start()
/// for await notification in listener.notifications {   // ends after `stop()`
///     handle(notification)
/// }
/// ```
///
/// A listener runs once: after `stop()` it cannot be started again.
public final class SNMPNotificationListener: Sendable, DatagramOwner {
    public let configuration: SNMPNotificationListenerConfiguration
    /// The accepted notifications, in arrival order, for a single consumer. It finishes when the
    /// listener stops, once the consumer has read what it holds. Cancelling the consuming task
    /// also ends it (as for any `AsyncStream`): the listener keeps running until `stop()`, but
    /// drops what it accepts afterwards as `backlogFull`.
    public let notifications: AsyncStream<SNMPNotification>

    private let continuation: AsyncStream<SNMPNotification>.Continuation
    private let group: any EventLoopGroup
    private let counters = NotificationCounters()
    private let receiver: NotificationReceiver
    private let state = Mutex<State>(.idle)

    private enum State {
        case idle
        case starting
        case running(any Channel, startedAt: ContinuousClock.Instant)
        case stopped
    }

    public init(
        configuration: SNMPNotificationListenerConfiguration, keyCache: USMKeyCache = USMKeyCache(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        group = eventLoopGroup
        receiver = NotificationReceiver(configuration: configuration, keyCache: keyCache, counters: counters)
        (notifications, continuation) = AsyncStream.makeStream(
            of: SNMPNotification.self, bufferingPolicy: .bufferingOldest(max(configuration.bufferCapacity, 1))
        )
    }

    deinit {
        if case .running(let channel, _) = state.withLock({ $0 }) {
            channel.close(promise: nil)
        }
        continuation.finish()
    }

    /// The counters since the listener was created.
    public var statistics: SNMPNotificationStatistics { counters.snapshot }

    /// snmpEngineTime: whole seconds since `start()`, 0 when not running.
    public var engineTime: Int32 {
        guard case .running(_, let startedAt) = state.withLock({ $0 }) else { return 0 }
        return AuthoritativeEngine.time(from: startedAt, to: configuration.now())
    }

    /// Binds the UDP socket and starts accepting; returns the bound address (with the port the
    /// system chose when the configured port is 0).
    ///
    /// - Throws: ``SNMPNotificationError`` for an invalid configuration or a second
    ///   start; SwiftNIO's errors when the socket cannot be bound (address in use...).
    @discardableResult
    public func start() async throws -> SocketAddress {
        try validate(configuration)
        try state.withLock { state throws(SNMPNotificationError) in
            guard case .idle = state else {
                throw SNMPNotificationError(
                    .alreadyStarted, "the SNMP notification listener was already started; make a new one")
            }
            state = .starting
        }
        // Localising keys costs a megabyte of hashing per password: not on the first INFORM.
        receiver.warmKeyCache()
        let bootstrap = DatagramBootstrap(group: group)
            // NIO's default allocator cuts datagrams at 2,048 bytes.
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
        let channel: any Channel
        do {
            // On a wildcard address, answers leave from the address asked: senders drop any other.
            channel = try await UDPReplySource.bind(
                bootstrap, host: configuration.host, port: configuration.port,
                // Not on port 0: see `SNMPAgent.start()`.
                reuseAddress: configuration.port != 0
            ) { [weak self] channel in
                try channel.pipeline.syncOperations.addHandler(OwnedDatagramHandler(owner: self))
            }
        } catch {
            state.withLock { $0 = .stopped }
            continuation.finish()
            throw error
        }
        let stoppedMeanwhile = state.withLock { state in
            guard case .starting = state else { return true }
            state = .running(channel, startedAt: configuration.now())
            return false
        }
        guard !stoppedMeanwhile, let address = channel.localAddress else {
            try? await channel.close()
            await stop()
            throw SNMPNotificationError(.stopped, "the SNMP notification listener was stopped while starting")
        }
        return address
    }

    /// Closes the socket and finishes `notifications` once the consumer has read what it holds.
    public func stop() async {
        let channel = state.withLock { state -> (any Channel)? in
            defer { state = .stopped }
            guard case .running(let channel, _) = state else { return nil }
            return channel
        }
        try? await channel?.close()
        continuation.finish()
    }

    private func validate(_ configuration: SNMPNotificationListenerConfiguration)
        throws(SNMPNotificationError)
    {
        if let (_, message) = AuthoritativeEngine.problem(
            engineID: configuration.engineID, engineBoots: configuration.engineBoots,
            users: configuration.users,
            port: configuration.port)
        {
            throw SNMPNotificationError(.invalidConfiguration, message)
        }
        guard configuration.maximumMessageSize >= 484, configuration.bufferCapacity > 0 else {
            throw SNMPNotificationError(
                .invalidConfiguration,
                "maximumMessageSize must be at least 484 (RFC 3417) and bufferCapacity positive")
        }
    }

    /// Handles one datagram (called on the channel's event loop).
    func handle(_ datagram: AddressedEnvelope<ByteBuffer>, on channel: any Channel) {
        counters.increment(\.datagramsReceived)
        guard case .running(_, let startedAt) = state.withLock({ $0 }) else { return }
        let engineTime = AuthoritativeEngine.time(from: startedAt, to: configuration.now())
        let outcome = receiver.receive(
            Array(datagram.data.readableBytesView), from: datagram.remoteAddress, engineTime: engineTime)
        let answer: [UInt8]
        switch outcome {
        case .drop:
            return
        case .report(let report):
            counters.increment(\.reportsSent)
            answer = report
        case .deliver(let notification, let acknowledgement):
            // Acknowledged only once queued: an INFORM the consumer has no room for is retried.
            guard case .enqueued = continuation.yield(notification) else {
                counters.drop(.backlogFull)
                return
            }
            counters.increment(\.accepted)
            guard let acknowledgement else { return }
            counters.increment(\.responsesSent)
            answer = acknowledgement
        }
        channel.writeAndFlush(datagram.reply(ByteBuffer(bytes: answer)), promise: nil)
    }
}
